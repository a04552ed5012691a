using Matcha.Recommendations.Evaluation;
using Matcha.Recommendations.Model;

namespace Matcha.Tests.Recommendations;

/// <summary>
/// A user with one to three ratings, as the served model folds them in on the day they rated:
/// their predictions move from each film's standing with everyone only as far as the posterior
/// says one rating is worth, so one 5.0 does not make every film a 5.0.
/// </summary>
public sealed class NewUserCalibrationTests
{
    // A short chain: enough for the film side and the priors a newcomer is fitted with.
    private static readonly BayesianOptions Short = new() { Factors = 8, Iterations = 80, BurnIn = 30, KeptSamples = 8 };
    private const int Today = 20_000;

    // Films everyone likes: The Shawshank Redemption, Pulp Fiction, Forrest Gump.
    private static readonly int[] WellLiked = [318, 296, 356];

    private static readonly Lazy<(BayesianModel Model, DenseIndex<int> Films, int[] MostRated)> Trained = new(() =>
    {
        var data = MovieLensRatings.Load(MovieLensData.SmallFolder());
        var model = BayesianFactorization.Fit(data.Ratings, Short);
        var counts = new int[data.Ratings.ItemCount];
        foreach (var item in data.Ratings.Items)
        {
            counts[item]++;
        }
        var mostRated = Enumerable.Range(0, counts.Length).OrderByDescending(i => counts[i]).Take(200).ToArray();
        return (model, data.Items, mostRated);
    });

    /// <param name="mostOfTheSurprise">the share of the ratings' surprise (5.0 − the films' standing) the other films may be lifted by on average: more ratings, more evidence</param>
    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(3, 0.75)]
    public void FiveStarsOnAFewFilmsMovesOtherPredictionsOnlyPartWayFromTheFilmsStanding(int ratingCount, double mostOfTheSurprise)
    {
        var (model, films, mostRated) = Trained.Value;
        int[] rated = [.. WellLiked.Take(ratingCount).Select(films.IndexOf)];
        var user = model.FoldInUser(rated.Select(item => (item, 5f, (int?)Today)), Today);
        var others = mostRated.Except(rated).ToArray();

        var standing = others.Select(model.ItemBaseline).ToArray();
        var predicted = others.Select(item => model.PredictServed(user, item)).ToArray();
        var lift = predicted.Zip(standing, (p, s) => p - s).Average();
        var surprise = rated.Average(item => 5f - model.ItemBaseline(item));
        var fives = predicted.Count(p => RatingScale.ToHalfStars(p) == 5.0);

        var correlation = Correlation(predicted, standing);
        var seen = $"average lift {lift:F3} from {ratingCount} rating(s) {surprise:F3} above the films' standing; " +
                   $"{fives} of {others.Length} popular films predicted 5.0; correlation with the films' standing {correlation:F3}";
        Assert.True(lift > 0 && lift < mostOfTheSurprise * surprise, seen);
        Assert.True(fives < others.Length / 10, seen);
        // The films keep their order with everyone: predictions still say which films are better liked.
        Assert.True(correlation > 0.8, seen);
    }

    [Fact]
    public void MoreFiveStarRatingsMovePredictionsFurther()
    {
        var (model, films, mostRated) = Trained.Value;
        int[] rated = [.. WellLiked.Select(films.IndexOf)];
        float Lift(int count)
        {
            var user = model.FoldInUser(rated.Take(count).Select(item => (item, 5f, (int?)Today)), Today);
            return mostRated.Except(rated).Average(item => model.PredictServed(user, item) - model.ItemBaseline(item));
        }

        Assert.True(Lift(3) > Lift(1), $"one rating lifts {Lift(1):F3}, three lift {Lift(3):F3}");
    }

    private static double Correlation(float[] x, float[] y)
    {
        var (mx, my) = (x.Average(), y.Average());
        var cov = x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum();
        return cov / Math.Sqrt(x.Sum(a => (a - mx) * (a - mx)) * y.Sum(b => (b - my) * (b - my)));
    }
}
