using MathNet.Numerics.LinearAlgebra;

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
    private readonly float[]? implicitFactors;   // SVD++'s y_j; null for SVD

    internal LatentFactorModel(
        LatentFactorOptions options, float mean, float[] userBiases, float[] itemBiases,
        float[] userFactors, float[] itemFactors, float[]? implicitFactors = null)
    {
        this.implicitFactors = implicitFactors;
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

    public float Predict(FoldedUser user, int item) => Predict(user.Bias, user.Factors, item);

    /// <summary>
    /// Fits a user the model has not trained on (or re-fits one from newer ratings) against the fixed
    /// film side: ridge regression of their bias and factors, with the training's regularisation per
    /// rating (λ·n, as n SGD steps apply it); for SVD++ the implicit term of the films they rated is added.
    /// </summary>
    public FoldedUser FoldInUser(IReadOnlyList<(int Item, float Score)> ratings)
    {
        var k = Factors;
        var implicitTerm = new float[k];
        if (ratings.Count == 0)
        {
            return new FoldedUser(0f, implicitTerm);
        }
        if (implicitFactors is not null)
        {
            foreach (var (item, _) in ratings)
            {
                for (var f = 0; f < k; f++)
                {
                    implicitTerm[f] += implicitFactors[item * k + f] / MathF.Sqrt(ratings.Count);
                }
            }
        }
        var normal = Matrix<double>.Build.Dense(k + 1, k + 1);
        var right = Vector<double>.Build.Dense(k + 1);
        var row = new double[k + 1];
        foreach (var (item, score) in ratings)
        {
            var qi = itemFactors.AsSpan(item * k, k);
            row[0] = 1;
            var target = score - Mean - itemBiases[item];
            for (var f = 0; f < k; f++)
            {
                row[f + 1] = qi[f];
                target -= qi[f] * implicitTerm[f];
            }
            for (var r = 0; r <= k; r++)
            {
                right[r] += row[r] * target;
                for (var c = 0; c <= k; c++)
                {
                    normal[r, c] += row[r] * row[c];
                }
            }
        }
        normal[0, 0] += options.BiasRegularization * ratings.Count;
        for (var f = 1; f <= k; f++)
        {
            normal[f, f] += options.Regularization * ratings.Count;
        }
        var z = normal.Cholesky().Solve(right);
        var vector = new float[k];
        for (var f = 0; f < k; f++)
        {
            vector[f] = (float)z[f + 1] + implicitTerm[f];
        }
        return new FoldedUser((float)z[0], vector);
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
