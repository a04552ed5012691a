using System.Diagnostics;
using System.Globalization;
using Matcha.Ratings.Recommendations.Evaluation;
using Matcha.Ratings.Recommendations.Model;

namespace Matcha.Bench;

/// <summary>
/// k-fold cross-validation of the recommendation models on a MovieLens data set: RMSE and MAE
/// (mean ± std over folds) and fit time per fold, all from one run, with the ratio of our best
/// model's RMSE to the baseline's.
/// </summary>
internal static class EvaluateCommand
{
    public static int Run(string path, string[] args)
    {
        var folds = ParseFolds(args);
        var stopwatch = Stopwatch.StartNew();
        var data = MovieLensRatings.Load(path);
        var ratings = data.Ratings;
        Console.WriteLine($"{path}: {ratings.Count} ratings, {ratings.UserCount} users, {ratings.ItemCount} films; " +
                          $"{folds}-fold cross-validation on {Environment.ProcessorCount} cores (loaded in {stopwatch.Elapsed.TotalSeconds:F1} s)");

        var results = new CrossValidation(folds).Run(ratings, Candidates);

        Console.WriteLine();
        Console.WriteLine($"{"model",-12} {"RMSE",-17} {"MAE",-17} {"fit time / fold",15}");
        foreach (var result in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Model,-12} {result.MeanRmse:F4} ± {result.StdRmse:F4}   {result.MeanMae:F4} ± {result.StdMae:F4}   {result.MeanFitTime.TotalSeconds,13:F2} s"));
        }
        var baseline = results.Single(r => r.Model == "baseline");
        var best = results.Where(r => r.Model is "SVD" or "SVD++").MinBy(r => r.MeanRmse)!;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"best model {best.Model}: RMSE {best.MeanRmse:F4} / baseline {baseline.MeanRmse:F4} = {best.MeanRmse / baseline.MeanRmse:F4} (issue's target ≤ 0.95)"));
        Console.WriteLine($"total {stopwatch.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    private static Candidate[] Candidates =>
    [
        new("global mean", GlobalMean.Fit),
        new("baseline", r => BaselineModel.Fit(r)),
        new("SVD", r => BiasedMatrixFactorization.Fit(r, RecommendationDefaults.Svd)),
        new("SVD++", r => SvdPlusPlus.Fit(r, RecommendationDefaults.SvdPlusPlus)),
    ];

    private static int ParseFolds(string[] args) => args switch
    {
        [] => 5,
        ["--folds", var value] => int.Parse(value, CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"Unknown options {string.Join(' ', args)}"),
    };
}
