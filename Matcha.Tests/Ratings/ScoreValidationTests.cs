using System.Text.Json;
using Matcha.Ratings.Ratings;

namespace Matcha.Tests.Ratings;

public sealed class ScoreValidationTests
{
    [Theory]
    [InlineData("""{"score":0.5}""", 0.5)]
    [InlineData("""{"score":3}""", 3.0)]
    [InlineData("""{"score":4.5}""", 4.5)]
    [InlineData("""{"Score":5.0}""", 5.0)]
    public void HalfStarsFromHalfToFiveAreAccepted(string body, double expected)
    {
        Assert.True(Score.TryRead(JsonDocument.Parse(body).RootElement, out var score, out var problem));
        Assert.Equal((decimal)expected, score);
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("""{"score":0}""")]
    [InlineData("""{"score":0.3}""")]
    [InlineData("""{"score":4.25}""")]
    [InlineData("""{"score":5.5}""")]
    [InlineData("""{"score":-1}""")]
    [InlineData("""{"score":"NaN"}""")]
    [InlineData("""{"score":"4.5"}""")]
    [InlineData("""{"score":null}""")]
    [InlineData("""{"score":1e400}""")]
    [InlineData("""{"stars":4}""")]
    [InlineData("""[4.5]""")]
    public void AnythingElseIsAProblemNamingScore(string body)
    {
        Assert.False(Score.TryRead(JsonDocument.Parse(body).RootElement, out _, out var problem));
        Assert.NotNull(problem);
        Assert.Equal(["score"], problem.ProblemDetails.Errors.Keys);
    }
}
