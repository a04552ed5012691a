using System.Diagnostics;
using Matcha.Recommendations.Model;

namespace Matcha.Recommendations.Evaluation;

/// <summary>How one way of predicting did on one fold's held-out ratings.</summary>
public sealed record FoldResult(int Fold, double Rmse, double Mae, TimeSpan FitTime, int Count = 0);

/// <summary>A way of predicting's results over all folds.</summary>
public sealed record ModelEvaluation(string Model, IReadOnlyList<FoldResult> Folds)
{
    public double MeanRmse => Folds.Average(f => f.Rmse);

    public double StdRmse => StdDev(Folds.Select(f => f.Rmse));

    public double MeanMae => Folds.Average(f => f.Mae);

    public double StdMae => StdDev(Folds.Select(f => f.Mae));

    /// <summary>RMSE over all held-out ratings of all folds together: for folds of different sizes (a time split's).</summary>
    public double PooledRmse => Math.Sqrt(Folds.Sum(f => f.Rmse * f.Rmse * f.Count) / Math.Max(1, Folds.Sum(f => f.Count)));

    public double PooledMae => Folds.Sum(f => f.Mae * f.Count) / Math.Max(1, Folds.Sum(f => f.Count));

    public TimeSpan MeanFitTime => TimeSpan.FromTicks((long)Folds.Average(f => f.FitTime.Ticks));

    // Population standard deviation, as Surprise's cross_validate prints it.
    private static double StdDev(IEnumerable<double> values)
    {
        var all = values.ToArray();
        var mean = all.Average();
        return Math.Sqrt(all.Average(v => (v - mean) * (v - mean)));
    }
}

/// <summary>A named way to train a model on a fold's training ratings, and how it is scored (by default its own predictions).</summary>
public sealed record Candidate(string Name, Func<RatingSet, IRatingModel> Fit, Scoring? Score = null);

/// <summary>
/// Trains every candidate on each fold and scores it. Folds run in parallel (one per core); within
/// a fold the candidates run one after another so fit times are comparable.
/// </summary>
public static class Evaluator
{
    /// <param name="onFit">called as each way of predicting is scored on each fold (from the fold's thread), for progress output</param>
    public static IReadOnlyList<ModelEvaluation> Run(
        IReadOnlyList<EvaluationFold> folds, IReadOnlyList<Candidate> candidates, Action<string, FoldResult>? onFit = null)
    {
        var results = new List<(string Name, FoldResult Result)>[folds.Count];
        Parallel.For(0, folds.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, f =>
        {
            var fold = folds[f];
            results[f] = [];
            foreach (var candidate in candidates)
            {
                var stopwatch = Stopwatch.StartNew();
                var model = candidate.Fit(fold.Train);
                var fitTime = stopwatch.Elapsed;
                foreach (var score in (candidate.Score ?? Scorings.AsTrained)(candidate.Name, model, fold))
                {
                    var result = new FoldResult(fold.Number, score.Rmse, score.Mae, fitTime, score.Count);
                    results[f].Add((score.Name, result));
                    onFit?.Invoke(score.Name, result);
                }
            }
        });
        return [.. results.SelectMany(r => r).GroupBy(r => r.Name).Select(g => new ModelEvaluation(g.Key, [.. g.Select(r => r.Result).OrderBy(r => r.Fold)]))];
    }
}

/// <summary>
/// k-fold cross-validation: the ratings are shuffled once with a seed and cut into k folds; each
/// fold is held out in turn while every candidate trains on the rest, and a held-out user's known
/// ratings are their training ratings.
/// </summary>
public sealed class CrossValidation(int folds = 5, int seed = 42)
{
    /// <param name="onFit">called as each candidate finishes each fold (from the fold's thread), for progress output</param>
    public IReadOnlyList<ModelEvaluation> Run(RatingSet ratings, IReadOnlyList<Candidate> candidates, Action<string, FoldResult>? onFit = null) =>
        Evaluator.Run(Folds(ratings), candidates, onFit);

    public IReadOnlyList<EvaluationFold> Folds(RatingSet ratings)
    {
        if (folds < 2 || folds > ratings.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(ratings), $"Cannot cut {ratings.Count} ratings into {folds} folds.");
        }
        var order = Enumerable.Range(0, ratings.Count).ToArray();
        new Random(seed).Shuffle(order);
        return [.. Enumerable.Range(0, folds).Select(fold =>
        {
            // Fold f holds positions [f·n/k, (f+1)·n/k) of the shuffled order, so sizes differ by at most one.
            var from = (int)((long)fold * order.Length / folds);
            var to = (int)((long)(fold + 1) * order.Length / folds);
            var train = ratings.Subset(order[..from].Concat(order[to..]));
            return new EvaluationFold(fold + 1, train, train, ratings.Subset(order[from..to]));
        })];
    }
}
