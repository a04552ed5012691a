using System.Diagnostics;
using System.Globalization;
using Matcha.Recommendations.Evaluation;
using Matcha.Recommendations.Model;

namespace Matcha.Bench;

/// <summary>
/// The recommendation models on a MovieLens data set, all from one run: RMSE and MAE and fit time
/// per fold, the served model both as the sampler drew its training users and as Ratings serves it
/// (each held-out user folded in from their known ratings, with and without the held-out day's
/// shift), against the baseline and SVD++. <c>--split random</c> (default): k-fold cross-validation;
/// <c>--split time</c>: each user's latest 20 % held out, models trained only on what came before
/// (<see cref="TimeSplit"/>). Ends with one line: <c>evaluate: served_rmse=… sampled_rmse=… baseline_rmse=… svdpp_rmse=… split=…</c>.
/// </summary>
internal static class EvaluateCommand
{
    private sealed record Options(int Folds, int Seed, bool TimeSplit, int Checkpoints, BayesianOptions Bayesian);

    public static int Run(string path, string[] args)
    {
        var options = Parse(args);
        var stopwatch = Stopwatch.StartNew();
        var indexed = MovieLensRatings.Load(path);
        var ratings = indexed.Ratings;
        var genres = options.Bayesian.Genres ? MovieLensRatings.LoadGenres(path, indexed.Items) : null;
        // Without movies.csv (ml-100k) there are no genres to learn from: the model without them, and the header says so.
        var bayesian = options.Bayesian with { Genres = genres is not null };
        var protocol = options.TimeSplit
            ? $"time split: each user's latest 20 % held out, models trained at {options.Checkpoints} checkpoints on the ratings before them"
            : $"{options.Folds}-fold cross-validation, shuffle seed {options.Seed}";
        Console.WriteLine($"{path}: {ratings.Count} ratings, {ratings.UserCount} users, {ratings.ItemCount} films{(ratings.HasDays ? " (with days)" : "")}; " +
                          $"{protocol}; on {Environment.ProcessorCount} cores (loaded in {stopwatch.Elapsed.TotalSeconds:F1} s)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{ModelComparison.Bayesian}: {bayesian.Factors} factors, {bayesian.Iterations} sweeps, {bayesian.BurnIn} burn-in, {bayesian.KeptSamples} samples kept, day shifts {(bayesian.DayShifts ? "on" : "off")}, genres {(bayesian.Genres ? "on" : "off")}"));
        Console.WriteLine("folds run in parallel, one per core; each result per fold as it comes:");

        var candidates = ModelComparison.Candidates(bayesian, options.TimeSplit, genres: genres);
        Action<string, FoldResult> progress = (model, fold) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  fold {fold.Fold}: {model,-30} RMSE {fold.Rmse:F4} on {fold.Count,6} ratings  fit {fold.FitTime.TotalSeconds:F1} s"));
        var folds = options.TimeSplit
            ? new TimeSplit(checkpoints: options.Checkpoints).Folds(ratings, MovieLensRatings.LoadMoments(path))
            : new CrossValidation(options.Folds, options.Seed).Folds(ratings);
        if (options.TimeSplit)
        {
            Console.WriteLine($"{folds.Count} of {options.Checkpoints} groups scored, {folds.Sum(f => f.Test.Count):N0} held-out ratings " +
                              "(a group whose checkpoint has fewer than 1,000 ratings before it is left out)");
        }
        var results = Evaluator.Run(folds, candidates, progress);

        Console.WriteLine();
        Console.WriteLine(options.TimeSplit
            ? $"{"way of predicting",-30} {"RMSE",-8} {"MAE",-8} {"fit time / fold",15}   (pooled over all held-out ratings)"
            : $"{"way of predicting",-30} {"RMSE",-17} {"MAE",-17} {"fit time / fold",15}");
        foreach (var result in results)
        {
            Console.WriteLine(options.TimeSplit
                ? string.Create(CultureInfo.InvariantCulture, $"{result.Model,-30} {result.PooledRmse:F4}   {result.PooledMae:F4}   {result.MeanFitTime.TotalSeconds,13:F2} s")
                : string.Create(CultureInfo.InvariantCulture,
                    $"{result.Model,-30} {result.MeanRmse:F4} ± {result.StdRmse:F4}   {result.MeanMae:F4} ± {result.StdMae:F4}   {result.MeanFitTime.TotalSeconds,13:F2} s"));
        }
        double Rmse(string model) => results.Single(r => r.Model == model) is var r && options.TimeSplit ? r.PooledRmse : r.MeanRmse;
        var (served, sampled, baseline, svdPlusPlus) =
            (Rmse(ModelComparison.Served), Rmse(ModelComparison.Sampled), Rmse(ModelComparison.Baseline), Rmse(ModelComparison.SvdPlusPlus));
        Console.WriteLine();
        Console.WriteLine(options.TimeSplit
            ? string.Create(CultureInfo.InvariantCulture, $"served path (day unknown) {served:F4} / SVD++ {svdPlusPlus:F4} = {served / svdPlusPlus:F4} (issue's target < 1)")
            : string.Create(CultureInfo.InvariantCulture,
                $"served path (day unknown) {served:F4} / baseline {baseline:F4} = {served / baseline:F4} (issue's target ≤ 0.95); SVD++ {svdPlusPlus / baseline:F4} × baseline"));
        Console.WriteLine($"total {stopwatch.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"evaluate: served_rmse={served:F4} sampled_rmse={sampled:F4} baseline_rmse={baseline:F4} svdpp_rmse={svdPlusPlus:F4} split={(options.TimeSplit ? "time" : "random")}"));
        return 0;
    }

    private static Options Parse(string[] args)
    {
        var options = new Options(Folds: 5, Seed: 42, TimeSplit: false, Checkpoints: 10, RecommendationDefaults.Bayesian);
        if (args.Length % 2 != 0)
        {
            throw new ArgumentException($"Option {args[^1]} needs a value");
        }
        for (var a = 0; a < args.Length; a += 2)
        {
            var text = args[a + 1];
            int Value() => int.Parse(text, CultureInfo.InvariantCulture);
            options = args[a] switch
            {
                "--split" when text is "random" or "time" => options with { TimeSplit = text == "time" },
                "--split" => throw new ArgumentException($"--split is random or time, not {text}"),
                "--folds" => options with { Folds = Value() },
                "--seed" => options with { Seed = Value() },
                "--checkpoints" => options with { Checkpoints = Value() },
                "--factors" => options with { Bayesian = options.Bayesian with { Factors = Value() } },
                "--sweeps" => options with { Bayesian = options.Bayesian with { Iterations = Value() } },
                "--burn-in" => options with { Bayesian = options.Bayesian with { BurnIn = Value() } },
                "--samples" => options with { Bayesian = options.Bayesian with { KeptSamples = Value() } },
                "--genres" when text is "on" or "off" => options with { Bayesian = options.Bayesian with { Genres = text == "on" } },
                "--day-shifts" when text is "on" or "off" => options with { Bayesian = options.Bayesian with { DayShifts = text == "on" } },
                _ => throw new ArgumentException($"Unknown option {args[a]}"),
            };
        }
        return options;
    }
}
