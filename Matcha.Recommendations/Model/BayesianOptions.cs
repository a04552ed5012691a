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
    public int KeptSamples { get; init; } = 32;

    public float InitStdDev { get; init; } = 0.1f;

    public int Seed { get; init; } = 42;
}
