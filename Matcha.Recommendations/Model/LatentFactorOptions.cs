namespace Matcha.Recommendations.Model;

/// <summary>
/// Hyper-parameters of the SGD-trained factor models, named as in Surprise's SVD and SVDpp.
/// Defaults are Surprise's; the tuned values are in <see cref="RecommendationDefaults"/>.
/// </summary>
public sealed record LatentFactorOptions
{
    public int Factors { get; init; } = 100;

    public int Epochs { get; init; } = 20;

    public float LearningRate { get; init; } = 0.005f;

    public float Regularization { get; init; } = 0.02f;

    public float BiasLearningRate { get; init; } = 0.005f;

    public float BiasRegularization { get; init; } = 0.02f;

    public float InitStdDev { get; init; } = 0.1f;

    public int Seed { get; init; } = 42;
}
