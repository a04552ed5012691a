using System.Diagnostics;
using System.Globalization;
using Matcha.Recommendations.Evaluation;
using Matcha.Recommendations.Model;

namespace Matcha.Bench;

/// <summary>
/// k-fold cross-validation of the recommendation models on a MovieLens data set: RMSE and MAE
/// (mean ± std over folds) and fit time per fold, all from one run, with the ratio of the served
/// model's RMSE to the baseline's.
/// </summary>
internal static class EvaluateCommand
{
    private const string Served = "Bayesian";

    public static int Run(string path, string[] args)
    {
        var (folds, bayesian) = Parse(args);
        var stopwatch = Stopwatch.StartNew();
        var data = MovieLensRatings.Load(path);
        var ratings = data.Ratings;
        Console.WriteLine($"{path}: {ratings.Count} ratings, {ratings.UserCount} users, {ratings.ItemCount} films{(ratings.HasDays ? " (with days)" : "")}; " +
                          $"{folds}-fold cross-validation on {Environment.ProcessorCount} cores (loaded in {stopwatch.Elapsed.TotalSeconds:F1} s)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Served}: {bayesian.Factors} factors, {bayesian.Iterations} sweeps, {bayesian.BurnIn} burn-in, {bayesian.KeptSamples} samples kept"));
        Console.WriteLine("folds run in parallel, one per core; each model's result per fold as it comes:");

        var results = new CrossValidation(folds).Run(ratings,
        [
            new("global mean", GlobalMean.Fit),
            new("baseline", r => BaselineModel.Fit(r)),
            new("SVD", r => BiasedMatrixFactorization.Fit(r, RecommendationDefaults.Svd)),
            new("SVD++", r => SvdPlusPlus.Fit(r, RecommendationDefaults.SvdPlusPlus)),
            new(Served, r => BayesianFactorization.Fit(r, bayesian)),
        ],
        (model, fold) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  fold {fold.Fold}: {model,-12} RMSE {fold.Rmse:F4}  fit {fold.FitTime.TotalSeconds:F1} s")));

        Console.WriteLine();
        Console.WriteLine($"{"model",-12} {"RMSE",-17} {"MAE",-17} {"fit time / fold",15}");
        foreach (var result in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Model,-12} {result.MeanRmse:F4} ± {result.StdRmse:F4}   {result.MeanMae:F4} ± {result.StdMae:F4}   {result.MeanFitTime.TotalSeconds,13:F2} s"));
        }
        var baseline = results.Single(r => r.Model == "baseline");
        var served = results.Single(r => r.Model == Served);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"served model {Served}: RMSE {served.MeanRmse:F4} / baseline {baseline.MeanRmse:F4} = {served.MeanRmse / baseline.MeanRmse:F4} (issue's target ≤ 0.95)"));
        Console.WriteLine($"total {stopwatch.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    private static (int Folds, BayesianOptions Bayesian) Parse(string[] args)
    {
        var folds = 5;
        var bayesian = RecommendationDefaults.Bayesian;
        for (var a = 0; a + 1 < args.Length; a += 2)
        {
            var value = int.Parse(args[a + 1], CultureInfo.InvariantCulture);
            (folds, bayesian) = args[a] switch
            {
                "--folds" => (value, bayesian),
                "--factors" => (folds, bayesian with { Factors = value }),
                "--sweeps" => (folds, bayesian with { Iterations = value }),
                "--burn-in" => (folds, bayesian with { BurnIn = value }),
                "--samples" => (folds, bayesian with { KeptSamples = value }),
                _ => throw new ArgumentException($"Unknown option {args[a]}"),
            };
        }
        if (args.Length % 2 != 0)
        {
            throw new ArgumentException($"Option {args[^1]} needs a value");
        }
        return (folds, bayesian);
    }
}
