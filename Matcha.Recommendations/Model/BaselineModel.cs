namespace Matcha.Recommendations.Model;

public sealed record BaselineOptions(int Epochs = 10, float UserRegularization = 15f, float ItemRegularization = 10f);

/// <summary>
/// Biases only: mean + b_u + b_i, as Surprise's BaselineOnly. Fitted by alternating least squares:
/// each step solves the item biases with the user biases fixed and then the reverse, each shrunk
/// towards zero by its regularisation, so a film with three ratings keeps most of the mean.
/// </summary>
public sealed class BaselineModel(float mean, float[] userBiases, float[] itemBiases) : IRatingModel
{
    public float Mean { get; } = mean;

    public float UserBias(int user) => user >= 0 && user < userBiases.Length ? userBiases[user] : 0f;

    public float ItemBias(int item) => item >= 0 && item < itemBiases.Length ? itemBiases[item] : 0f;

    public float Predict(int user, int item) => RatingScale.Clip(Mean + UserBias(user) + ItemBias(item));

    /// <summary>μ + b_u + b_i for a user's bias fitted from their ratings (<see cref="FoldInUserBias"/>).</summary>
    public float Predict(float userBias, int item) => RatingScale.Clip(Mean + userBias + ItemBias(item));

    /// <summary>A user's bias from their ratings against the fixed film biases, shrunk as in training.</summary>
    public float FoldInUserBias(IReadOnlyList<(int Item, float Score)> ratings, BaselineOptions? options = null) =>
        ratings.Count == 0 ? 0f
            : (float)(ratings.Sum(r => (double)r.Score - Mean - ItemBias(r.Item)) / ((options ?? new BaselineOptions()).UserRegularization + ratings.Count));

    public static BaselineModel Fit(RatingSet ratings, BaselineOptions? options = null)
    {
        options ??= new BaselineOptions();
        var mean = ratings.Mean;
        var bu = new float[ratings.UserCount];
        var bi = new float[ratings.ItemCount];
        var sums = new double[Math.Max(ratings.UserCount, ratings.ItemCount)];
        var counts = new int[sums.Length];
        var users = ratings.Users;
        var items = ratings.Items;
        var scores = ratings.Scores;

        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            Array.Clear(sums);
            Array.Clear(counts);
            for (var r = 0; r < scores.Length; r++)
            {
                sums[items[r]] += scores[r] - mean - bu[users[r]];
                counts[items[r]]++;
            }
            for (var i = 0; i < bi.Length; i++)
            {
                bi[i] = (float)(sums[i] / (options.ItemRegularization + counts[i]));
            }

            Array.Clear(sums);
            Array.Clear(counts);
            for (var r = 0; r < scores.Length; r++)
            {
                sums[users[r]] += scores[r] - mean - bi[items[r]];
                counts[users[r]]++;
            }
            for (var u = 0; u < bu.Length; u++)
            {
                bu[u] = (float)(sums[u] / (options.UserRegularization + counts[u]));
            }
        }
        return new BaselineModel(mean, bu, bi);
    }
}
