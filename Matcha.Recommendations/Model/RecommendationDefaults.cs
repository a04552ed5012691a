namespace Matcha.Recommendations.Model;

/// <summary>
/// The hyper-parameters chosen by grid search with cross-validation on ml-latest-small
/// (bench <c>tune</c>; the grid and the results are in docs/recommendations.md).
/// </summary>
public static class RecommendationDefaults
{
    public static LatentFactorOptions Svd { get; } = new()
    {
        Factors = 50, Epochs = 40, LearningRate = 0.01f, BiasLearningRate = 0.01f, Regularization = 0.1f, BiasRegularization = 0.1f,
    };

    public static LatentFactorOptions SvdPlusPlus { get; } = Svd;

    /// <summary>The served model's sampler settings (bench <c>evaluate --factors --sweeps --burn-in --samples</c> varies them).</summary>
    public static BayesianOptions Bayesian { get; } = new();
}
