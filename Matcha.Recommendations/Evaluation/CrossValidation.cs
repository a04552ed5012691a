using System.Diagnostics;
using Matcha.Recommendations.Model;

namespace Matcha.Recommendations.Evaluation;

/// <summary>How one model did on one fold's held-out ratings.</summary>
public sealed record FoldResult(int Fold, double Rmse, double Mae, TimeSpan FitTime);

/// <summary>A model's results over all folds.</summary>
public sealed record ModelEvaluation(string Model, IReadOnlyList<FoldResult> Folds)
{
    public double MeanRmse => Folds.Average(f => f.Rmse);

    public double StdRmse => StdDev(Folds.Select(f => f.Rmse));

    public double MeanMae => Folds.Average(f => f.Mae);

    public double StdMae => StdDev(Folds.Select(f => f.Mae));

    public TimeSpan MeanFitTime => TimeSpan.FromTicks((long)Folds.Average(f => f.FitTime.Ticks));

    // Population standard deviation, as Surprise's cross_validate prints it.
    private static double StdDev(IEnumerable<double> values)
    {
        var all = values.ToArray();
        var mean = all.Average();
        return Math.Sqrt(all.Average(v => (v - mean) * (v - mean)));
    }
}

/// <summary>A named way to train a model on a fold's training ratings.</summary>
public sealed record Candidate(string Name, Func<RatingSet, IRatingModel> Fit);

/// <summary>
/// k-fold cross-validation: the ratings are shuffled once with a seed and cut into k folds; each
/// fold is held out in turn while every candidate trains on the rest. Folds run in parallel (one
/// per core); within a fold the candidates run one after another so fit times are comparable.
/// </summary>
public sealed class CrossValidation(int folds = 5, int seed = 42)
{
    /// <param name="onFit">called as each candidate finishes each fold (from the fold's thread), for progress output</param>
    public IReadOnlyList<ModelEvaluation> Run(RatingSet ratings, IReadOnlyList<Candidate> candidates, Action<string, FoldResult>? onFit = null)
    {
        if (folds < 2 || folds > ratings.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(ratings), $"Cannot cut {ratings.Count} ratings into {folds} folds.");
        }
        var order = Enumerable.Range(0, ratings.Count).ToArray();
        new Random(seed).Shuffle(order);

        var results = new FoldResult[candidates.Count, folds];
        Parallel.For(0, folds, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, fold =>
        {
            var (train, test) = Split(ratings, order, fold);
            for (var c = 0; c < candidates.Count; c++)
            {
                var stopwatch = Stopwatch.StartNew();
                var model = candidates[c].Fit(train);
                var fitTime = stopwatch.Elapsed;
                var (rmse, mae) = Accuracy.Measure(model, test);
                results[c, fold] = new FoldResult(fold + 1, rmse, mae, fitTime);
                onFit?.Invoke(candidates[c].Name, results[c, fold]);
            }
        });
        return [.. candidates.Select((c, i) => new ModelEvaluation(c.Name, [.. Enumerable.Range(0, folds).Select(f => results[i, f])]))];
    }

    private (RatingSet Train, RatingSet Test) Split(RatingSet ratings, int[] order, int fold)
    {
        // Fold f holds positions [f·n/k, (f+1)·n/k) of the shuffled order, so sizes differ by at most one.
        var from = (int)((long)fold * order.Length / folds);
        var to = (int)((long)(fold + 1) * order.Length / folds);
        return (ratings.Subset(order[..from].Concat(order[to..])), ratings.Subset(order[from..to]));
    }
}
