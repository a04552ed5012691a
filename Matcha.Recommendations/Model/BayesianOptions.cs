namespace Matcha.Recommendations.Model;

/// <summary>
/// Settings of <see cref="BayesianFactorization"/>'s Gibbs sampler. There is no learning rate and no
/// regularisation to tune: the priors' means and precisions are sampled along with the parameters.
/// The defaults are the served values, chosen by cross-validation (docs/recommendations.md).
/// </summary>
public sealed record BayesianOptions
{
    public int Factors { get; init; } = 8;

    /// <summary>Gibbs sweeps in all, burn-in included.</summary>
    public int Iterations { get; init; } = 600;

    /// <summary>Sweeps whose samples are discarded while the chain moves away from its random start.</summary>
    public int BurnIn { get; init; } = 100;

    /// <summary>Samples kept after burn-in, evenly spaced; predictions are their average.</summary>
    public int KeptSamples { get; init; } = 64;

    public float InitStdDev { get; init; } = 0.1f;

    public int Seed { get; init; } = 42;

    /// <summary>
    /// Whether each user's shift on each day they rated is learned (when the ratings carry days).
    /// Off by default: the shift of a day helps predict that day's other ratings, but a prediction
    /// is shown before its rating, mostly on a day without ratings, where the shifts only took
    /// generosity away from the user's bias (docs/recommendations.md, model selection). A model
    /// trained without holds the day prior pinned at 0 (infinite precision), so fold-in fits no shifts.
    /// </summary>
    public bool DayShifts { get; init; }

    /// <summary>
    /// Whether films' genres are learned from as side information (<see cref="BayesianFactorization.Fit(RatingSet, BayesianOptions, FilmFeatures?, CancellationToken)"/>):
    /// the caller passes them; the film side carries them, so serving does not need them.
    /// </summary>
    public bool Genres { get; init; } = true;

    /// <summary>
    /// The most ratings × sweeps a training may cost: a sweep costs O(ratings), so this bounds the
    /// training time. Past it, <see cref="WithinBudget"/> samples fewer sweeps (600 up to a million
    /// ratings, 120 at five million), burn-in cut in step, the same number of samples kept.
    /// </summary>
    public long RatingSweepBudget { get; init; } = 600L * 1_000_000;

    /// <summary>These settings with the sweeps cut so that <paramref name="ratingCount"/> × sweeps stays within <see cref="RatingSweepBudget"/>.</summary>
    public BayesianOptions WithinBudget(int ratingCount)
    {
        var affordable = (int)Math.Min(Iterations, RatingSweepBudget / Math.Max(1, ratingCount));
        if (affordable >= Iterations)
        {
            return this;
        }
        var iterations = Math.Max(affordable, KeptSamples + 10);
        return this with { Iterations = iterations, BurnIn = (int)((long)BurnIn * iterations / Iterations) };
    }
}
