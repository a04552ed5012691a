using Matcha.Recommendations.Evaluation;
using Matcha.Recommendations.Model;

namespace Matcha.Tests.Recommendations;

public sealed class BaselineModelTests
{
    [Fact]
    public void BaselineBeatsTheGlobalMeanWhenFilmsDifferInQuality()
    {
        // Film f has a true quality between 1.5 and 4.5; each rating is that quality give or take a star.
        var random = new Random(5);
        var triples = (
            from user in Enumerable.Range(0, 60)
            from film in Enumerable.Range(0, 30)
            where random.NextDouble() < 0.5
            let quality = 1.5 + 3.0 * film / 29
            select (user, film, RatingScale.ToHalfStars((float)(quality + random.NextDouble() * 2 - 1)))).ToList();
        var data = RatingSet.FromTriples(triples).Ratings;
        var train = data.Subset(Enumerable.Range(0, data.Count).Where(r => r % 5 != 0));
        var test = data.Subset(Enumerable.Range(0, data.Count).Where(r => r % 5 == 0));

        var (meanRmse, _) = Accuracy.Measure(GlobalMean.Fit(train), test);
        var (baselineRmse, _) = Accuracy.Measure(BaselineModel.Fit(train), test);

        Assert.True(baselineRmse < 0.7 * meanRmse, $"baseline {baselineRmse:F3} vs global mean {meanRmse:F3}");
    }

    [Fact]
    public void AFilmWithFewRatingsIsShrunkTowardTheMean()
    {
        List<(int, int, float)> triples = [.. Enumerable.Range(0, 50).Select(u => (u, 0, 3.0f))];
        triples.Add((0, 1, 5.0f));
        triples.AddRange(Enumerable.Range(0, 50).Select(u => (u, 2, 5.0f)));
        var data = RatingSet.FromTriples(triples);

        var model = BaselineModel.Fit(data.Ratings);

        var once = model.Predict(-1, data.Items.IndexOf(1));
        var often = model.Predict(-1, data.Items.IndexOf(2));
        Assert.True(once < often - 0.5f, $"one 5.0 gives {once}, fifty give {often}");
    }

    [Theory]
    [InlineData(3.74f, 3.5f)]
    [InlineData(3.75f, 4.0f)]
    [InlineData(0.1f, 0.5f)]
    [InlineData(5.6f, 5.0f)]
    public void PredictionsAreShownInHalfStars(float predicted, float shown) =>
        Assert.Equal(shown, RatingScale.ToHalfStars(predicted));
}
