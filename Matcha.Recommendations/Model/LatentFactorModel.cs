namespace Matcha.Recommendations.Model;

/// <summary>
/// A trained SVD or SVD++ model: r̂ = μ + b_u + b_i + q_iᵀp_u, where for SVD++ p_u already holds
/// the implicit-feedback term. Users and items that had no training ratings have zero factors and
/// zero biases, so their predictions fall back to the bias terms that do exist. These SGD models
/// are measured against the served <see cref="BayesianModel"/> in cross-validation; they are not served.
/// </summary>
public sealed class LatentFactorModel : IRatingModel
{
    private readonly LatentFactorOptions options;
    private readonly float[] userBiases;
    private readonly float[] itemBiases;
    private readonly float[] userFactors;
    private readonly float[] itemFactors;

    internal LatentFactorModel(
        LatentFactorOptions options, float mean, float[] userBiases, float[] itemBiases,
        float[] userFactors, float[] itemFactors)
    {
        this.options = options;
        Mean = mean;
        this.userBiases = userBiases;
        this.itemBiases = itemBiases;
        this.userFactors = userFactors;
        this.itemFactors = itemFactors;
    }

    public float Mean { get; }

    public int Factors => options.Factors;

    public int UserCount => userBiases.Length;

    public int ItemCount => itemBiases.Length;

    public float Predict(int user, int item)
    {
        var known = user >= 0 && user < UserCount;
        return known
            ? Predict(userBiases[user], userFactors.AsSpan(user * Factors, Factors), item)
            : Predict(0f, [], item);
    }

    private float Predict(float userBias, ReadOnlySpan<float> userVector, int item)
    {
        if (item < 0 || item >= ItemCount)
        {
            return RatingScale.Clip(Mean + userBias);
        }
        var dot = userVector.IsEmpty ? 0f : Sgd.Dot(userVector, itemFactors.AsSpan(item * Factors, Factors));
        return RatingScale.Clip(Mean + userBias + itemBiases[item] + dot);
    }
}
