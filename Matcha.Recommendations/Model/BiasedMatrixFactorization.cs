namespace Matcha.Recommendations.Model;

/// <summary>
/// Surprise's SVD (Funk/Koren): r̂ = μ + b_u + b_i + q_iᵀp_u, fitted by stochastic gradient
/// descent on the regularised squared error, visiting the ratings in a fresh seeded order each epoch.
/// </summary>
public static class BiasedMatrixFactorization
{
    public static LatentFactorModel Fit(RatingSet ratings, LatentFactorOptions options)
    {
        var k = options.Factors;
        var random = new Random(options.Seed);
        var mean = ratings.Mean;
        var bu = new float[ratings.UserCount];
        var bi = new float[ratings.ItemCount];
        var p = Sgd.Normal(random, ratings.UserCount * k, options.InitStdDev);
        var q = Sgd.Normal(random, ratings.ItemCount * k, options.InitStdDev);
        var users = ratings.Users.ToArray();
        var items = ratings.Items.ToArray();
        var scores = ratings.Scores.ToArray();
        var order = Enumerable.Range(0, scores.Length).ToArray();
        var (lr, reg, lrBias, regBias) = (options.LearningRate, options.Regularization, options.BiasLearningRate, options.BiasRegularization);

        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            Sgd.Shuffle(random, order);
            foreach (var r in order)
            {
                int u = users[r], i = items[r];
                var pu = p.AsSpan(u * k, k);
                var qi = q.AsSpan(i * k, k);
                var err = scores[r] - (mean + bu[u] + bi[i] + Sgd.Dot(pu, qi));
                bu[u] += lrBias * (err - regBias * bu[u]);
                bi[i] += lrBias * (err - regBias * bi[i]);
                for (var f = 0; f < k; f++)
                {
                    var puf = pu[f];
                    var qif = qi[f];
                    pu[f] += lr * (err * qif - reg * puf);
                    qi[f] += lr * (err * puf - reg * qif);
                }
            }
        }

        Sgd.ClearUntrained(p, k, u => ratings.RatingCountOfUser(u) > 0);
        Sgd.ClearUntrained(q, k, i => ratings.ItemRatingCounts[i] > 0);
        return new LatentFactorModel(options, mean, bu, bi, p, q);
    }
}
