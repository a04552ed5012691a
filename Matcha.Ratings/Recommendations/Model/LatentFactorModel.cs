namespace Matcha.Ratings.Recommendations.Model;

/// <summary>
/// A trained SVD or SVD++ model: r̂ = μ + b_u + b_i + q_iᵀp_u, where for SVD++ p_u already holds
/// the implicit-feedback term. Users and items that had no training ratings have zero factors
/// and zero biases, so their predictions fall back to the bias terms that do exist.
/// </summary>
public sealed partial class LatentFactorModel : IRatingModel
{
    // Fold-in alternates between the bias and the factors; a handful of rounds settles both.
    private const int FoldInRounds = 5;

    private readonly LatentFactorOptions options;
    private readonly float[] userBiases;
    private readonly float[] itemBiases;
    private readonly float[] userFactors;
    private readonly float[] itemFactors;
    private readonly float[]? implicitFactors;

    internal LatentFactorModel(
        LatentFactorOptions options, float mean, float[] userBiases, float[] itemBiases,
        float[] userFactors, float[] itemFactors, float[]? implicitFactors)
    {
        this.options = options;
        Mean = mean;
        this.userBiases = userBiases;
        this.itemBiases = itemBiases;
        this.userFactors = userFactors;
        this.itemFactors = itemFactors;
        this.implicitFactors = implicitFactors;
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
    /// Re-fits one user's bias and factors against the fixed item parameters, minimising the same
    /// regularised squared error SGD minimises (its regularisation is applied once per rating, hence
    /// the λ·n). Alternating closed-form solves: the factors by ridge regression, then the bias.
    /// </summary>
    public FoldedUser FoldInUser(IEnumerable<(int Item, float Score)> ratings)
    {
        var k = Factors;
        var known = ratings.Where(r => r.Item >= 0 && r.Item < ItemCount).ToArray();
        var implicitTerm = new float[k];
        if (known.Length == 0)
        {
            return new FoldedUser(0f, implicitTerm);
        }
        if (implicitFactors is not null)
        {
            int[] rated = [.. known.Select(r => r.Item).Distinct()];
            SvdPlusPlus.ImplicitTerm(implicitFactors, k, rated, 1f / MathF.Sqrt(rated.Length), implicitTerm);
        }

        var rows = known.Select(r => itemFactors.AsSpan(r.Item * k, k).ToArray()).ToArray();
        var residuals = new float[known.Length];
        var bias = 0f;
        var factors = new float[k];
        for (var round = 0; round < FoldInRounds; round++)
        {
            for (var r = 0; r < known.Length; r++)
            {
                residuals[r] = known[r].Score - Mean - itemBiases[known[r].Item] - bias - Sgd.Dot(rows[r], implicitTerm);
            }
            factors = RidgeSolver.Solve(rows, residuals, k, options.Regularization * known.Length);

            var sum = 0.0;
            for (var r = 0; r < known.Length; r++)
            {
                sum += known[r].Score - Mean - itemBiases[known[r].Item] - Sgd.Dot(rows[r], factors) - Sgd.Dot(rows[r], implicitTerm);
            }
            bias = (float)(sum / (known.Length * (1 + options.BiasRegularization)));
        }
        for (var f = 0; f < k; f++)
        {
            factors[f] += implicitTerm[f];
        }
        return new FoldedUser(bias, factors);
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
