using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Matcha.Tests.Recommendations;

/// <summary>
/// Predicted ratings, recommendations and taste through the gateway, against a model trained on
/// demand. Each test makes a small world of its own: two genres of its own, and other people who
/// love one and dislike the other, so what the model should predict is clear.
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class PredictionTests(MatchaAppFixture fixture)
{
    private sealed record World(string LovedGenre, int[] Loved, string OtherGenre, int[] Other);

    /// <summary>Two genres of twelve films; thirty people, half loving each genre and disliking the other.</summary>
    private async Task<World> TwoTastesAsync()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var loved = await fixture.AddFilmsAsync($"Loved-{tag}", 12, $"Loved Director {tag}", runtime: 100);
        var other = await fixture.AddFilmsAsync($"Other-{tag}", 12, $"Other Director {tag}", runtime: 90);
        var random = new Random(7);
        var ratings = new List<(Guid, int, decimal)>();
        for (var person = 0; person < 30; person++)
        {
            var user = Guid.NewGuid();
            var (likes, dislikes) = person % 2 == 0 ? (loved, other) : (other, loved);
            ratings.AddRange(likes.Select(film => (user, film, 4.5m + 0.5m * random.Next(2))));
            ratings.AddRange(dislikes.Select(film => (user, film, 1.0m + 0.5m * random.Next(2))));
        }
        await fixture.AddRatingsAsync(ratings);
        return new World($"Loved-{tag}", loved, $"Other-{tag}", other);
    }

    /// <summary>A fan of the loved genre: five of its films highly, five of the other genre low.</summary>
    private static async Task RateTenAsync(HttpClient gateway, Fan fan, World world)
    {
        double[] high = [5.0, 4.5, 5.0, 4.5, 5.0];
        double[] low = [1.0, 1.5, 1.0, 1.0, 1.5];
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, world.Loved[i], high[i]));
            Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, world.Other[i], low[i]));
        }
    }

    [Fact]
    public async Task ANewUserWhoRatesTenFilmsGetsPredictionsAndRecommendationsOfTheirTaste()
    {
        using var gateway = fixture.CreateGatewayClient();
        var world = await TwoTastesAsync();
        await fixture.TrainAsync(gateway);
        var fan = await gateway.NewFanAsync();

        await RateTenAsync(gateway, fan, world);

        var unseenLoved = world.Loved[5..];
        var unseenOther = world.Other[5..];
        var predictions = await gateway.PredictAsync(fan, [.. unseenLoved, .. unseenOther]);
        Assert.Equal([.. unseenLoved, .. unseenOther], predictions.Select(p => p.MovieId));
        Assert.All(predictions, p => Assert.Equal("personal", p.Basis));
        Assert.All(predictions, p => Assert.Equal(0, p.Predicted * 2 % 1));
        var lowestLoved = predictions.Take(unseenLoved.Length).Min(p => p.Predicted);
        var highestOther = predictions.Skip(unseenLoved.Length).Max(p => p.Predicted);
        Assert.True(lowestLoved >= 4.0 && highestOther <= 2.5, $"loved genre from {lowestLoved}, other genre up to {highestOther}");
        var one = await gateway.GetAsync<PredictionView>(fan, $"/api/ratings/me/predictions/{unseenLoved[0]}");
        Assert.Equal(predictions[0], one);

        Assert.Equal(HttpStatusCode.NoContent, await gateway.WishAsync(fan, unseenLoved[1], "notInterested"));
        var ofLovedGenre = await gateway.RecommendAsync(fan, $"genre={world.LovedGenre}&limit=20");
        Assert.Equal(unseenLoved.Except([unseenLoved[1]]).Order(), ofLovedGenre.Select(r => r.MovieId).Order());
        Assert.Equal(ofLovedGenre.OrderByDescending(r => r.Predicted).Select(r => r.Predicted), ofLovedGenre.Select(r => r.Predicted));
        var anything = await gateway.RecommendAsync(fan, "limit=100");
        Assert.Equal(100, anything.Length);
        Assert.Empty(anything.Select(r => r.MovieId).Intersect([.. world.Loved[..5], .. world.Other[..5], unseenLoved[1]]));
        Assert.Equal(anything.OrderByDescending(r => r.Predicted).Select(r => r.Predicted), anything.Select(r => r.Predicted));
    }

    /// <summary>Ratings keeps a user's ranked picks while nothing they rest on changed: a rating or a "not interested" changes them at once.</summary>
    [Fact]
    public async Task RecommendationsLeaveOutAFilmAsSoonAsItIsRatedOrMarkedNotInterested()
    {
        using var gateway = fixture.CreateGatewayClient();
        var world = await TwoTastesAsync();
        await fixture.TrainAsync(gateway);
        var fan = await gateway.NewFanAsync();
        await RateTenAsync(gateway, fan, world);

        var first = await gateway.RecommendAsync(fan, $"genre={world.LovedGenre}&limit=20");
        Assert.Equal(first.Select(r => r.MovieId), (await gateway.RecommendAsync(fan, $"genre={world.LovedGenre}&limit=20")).Select(r => r.MovieId));
        Assert.True(first.Length >= 2, $"{first.Length} recommendations of the loved genre");

        Assert.Equal(HttpStatusCode.NoContent, await gateway.WishAsync(fan, first[0].MovieId, "notInterested"));
        var afterNotInterested = await gateway.RecommendAsync(fan, $"genre={world.LovedGenre}&limit=20");
        Assert.Equal(first.Skip(1).Select(r => r.MovieId).Order(), afterNotInterested.Select(r => r.MovieId).Order());
        // The home screen's one read (my states for its films and my recommendations) leaves it out the same way.
        var home = await gateway.GetAsync<JsonElement>(fan, $"/api/ratings/me/movies?ids={first[0].MovieId},{first[1].MovieId}&recommendations=100");
        Assert.Equal("notInterested", home.GetProperty("items")[0].GetProperty("wish").GetString());
        var homePicks = home.GetProperty("recommendations").EnumerateArray().Select(p => p.GetProperty("movieId").GetInt32()).ToList();
        Assert.Equal((await gateway.RecommendAsync(fan, "limit=100")).Select(r => r.MovieId), homePicks);
        Assert.DoesNotContain(first[0].MovieId, homePicks);

        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, first[1].MovieId, 4.5));
        var afterRating = await gateway.RecommendAsync(fan, $"genre={world.LovedGenre}&limit=20");
        Assert.DoesNotContain(first[1].MovieId, afterRating.Select(r => r.MovieId));
        Assert.DoesNotContain(first[0].MovieId, afterRating.Select(r => r.MovieId));
    }

    [Fact]
    public async Task RatingAnotherFilmChangesPredictionsWithinASecond()
    {
        using var gateway = fixture.CreateGatewayClient();
        var world = await TwoTastesAsync();
        await fixture.TrainAsync(gateway);
        var fan = await gateway.NewFanAsync();
        await RateTenAsync(gateway, fan, world);
        var watched = world.Loved[6..];
        var before = (await gateway.PredictAsync(fan, watched)).Sum(p => p.Predicted);

        // A film of the loved genre, hated: the fan's taste for the genre is less sure than it was.
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, world.Loved[5], 0.5));
        var clock = Stopwatch.StartNew();
        var after = await EventsDriver.EventuallyAsync(
            async () => (await gateway.PredictAsync(fan, watched)).Sum(p => p.Predicted), sum => sum < before, TimeSpan.FromSeconds(1));
        var took = clock.Elapsed;

        Assert.True(after < before, $"predictions summed to {before} before and {after} after");
        Assert.True(took < TimeSpan.FromSeconds(1), $"took {took.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task MyTasteWeighsGenresCountriesAndDirectorsByHowMuchILikedThem()
    {
        using var gateway = fixture.CreateGatewayClient();
        var world = await TwoTastesAsync();
        var fan = await gateway.NewFanAsync();
        await RateTenAsync(gateway, fan, world);

        var taste = await gateway.GetAsync<JsonElement>(fan, "/api/ratings/me/taste");

        Assert.Equal(10, taste.GetProperty("ratingCount").GetInt32());
        //           0.5 1.0 1.5 2.0 2.5 3.0 3.5 4.0 4.5 5.0
        Assert.Equal([0, 3, 2, 0, 0, 0, 0, 0, 2, 3], taste.GetProperty("distribution").EnumerateArray().Select(b => b.GetInt32()));
        Assert.Equal(3.0, taste.GetProperty("myAverage").GetDouble());
        Assert.True(taste.GetProperty("everyonesAverage").GetDouble() is > 0.5 and <= 5.0);
        var genres = taste.GetProperty("genres").EnumerateArray().Select(g => g.GetProperty("name").GetString()).ToList();
        Assert.Equal([world.LovedGenre], genres);
        var director = Assert.Single(taste.GetProperty("directors").EnumerateArray());
        Assert.StartsWith("Loved Director", director.GetProperty("name").GetString(), StringComparison.Ordinal);
        Assert.Equal(5, director.GetProperty("count").GetInt32());
        Assert.Equal(4.8, director.GetProperty("average").GetDouble());
        // Five liked (+2.25 +1.75 +2.25 +1.75 +2.25) and five disliked (−1.75 −1.25 −1.75 −1.75 −1.25) films from one country.
        var country = Assert.Single(taste.GetProperty("countries").EnumerateArray());
        Assert.Equal("XR", country.GetProperty("name").GetString());
        Assert.Equal(2.5, country.GetProperty("weight").GetDouble());
        Assert.Equal(5 * 100 + 5 * 90, taste.GetProperty("totalRuntimeMinutes").GetInt32());

        // The analysis is kept between visits, but a changed score counts on the very next one.
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, world.Loved[0], 0.5));
        var after = await gateway.GetAsync<JsonElement>(fan, "/api/ratings/me/taste");
        Assert.Equal([1, 3, 2, 0, 0, 0, 0, 0, 2, 2], after.GetProperty("distribution").EnumerateArray().Select(b => b.GetInt32()));
        Assert.Equal(3.9, Assert.Single(after.GetProperty("directors").EnumerateArray()).GetProperty("average").GetDouble());
    }

    [Fact]
    public async Task AModelTrainedBeforeARatingsRestartServesRightAfterIt()
    {
        using var gateway = fixture.CreateGatewayClient();
        var world = await TwoTastesAsync();
        var trained = await fixture.TrainAsync(gateway);
        var fan = await gateway.NewFanAsync();
        await RateTenAsync(gateway, fan, world);
        var before = await gateway.PredictAsync(fan, world.Loved[5..]);

        await fixture.KillAsync("ratings");
        await fixture.StartAgainAsync("ratings");

        var after = await gateway.PredictAsync(fan, world.Loved[5..]);
        Assert.Equal(before, after);
        Assert.All(after, p => Assert.Equal("personal", p.Basis));
        var admin = await gateway.AdminAsync(fixture);
        var served = await gateway.GetAsync<JsonElement>(admin, "/api/ratings/admin/recommendations/model");
        Assert.Equal(trained.GetProperty("id").GetInt64(), served.GetProperty("model").GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task WithoutRatingsPredictionsArePopularityAndAFilmNewerThanTheModelIsBaseline()
    {
        using var gateway = fixture.CreateGatewayClient();
        var world = await TwoTastesAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var standouts = await fixture.AddFilmsAsync($"Standout-{tag}", 2, $"Standout Director {tag}");
        var (everyonesFavourite, everyonesDud) = (standouts[0], standouts[1]);
        // Forty people agree, enough that the films' biases stand out from the shrinkage towards
        // the mean whatever other tests have rated before.
        await fixture.AddRatingsAsync(Enumerable.Range(0, 40).Select(_ => Guid.NewGuid())
            .SelectMany(user => new[] { (user, everyonesFavourite, 5.0m), (user, everyonesDud, 1.0m) }));
        var model = await fixture.TrainAsync(gateway);
        Assert.True(model.GetProperty("holdOutRmse").GetDouble() > 0, model.ToString());
        Assert.NotEmpty(fixture.Traces.SpansNamed("recommendations.train"));
        var newcomer = await gateway.NewFanAsync();

        var predictions = await gateway.PredictAsync(newcomer, standouts);
        Assert.All(predictions, p => Assert.Equal("popularity", p.Basis));
        Assert.True(predictions[0].Predicted >= 4.0 && predictions[1].Predicted <= 2.5, $"{predictions[0]} vs {predictions[1]}");
        var recommended = await gateway.RecommendAsync(newcomer, $"genre=Standout-{tag}");
        Assert.Equal(standouts, recommended.Select(r => r.MovieId));

        var fan = await gateway.NewFanAsync();
        await RateTenAsync(gateway, fan, world);
        var newer = (await fixture.AddFilmsAsync($"Newer-{tag}", 1, $"Newer Director {tag}"))[0];
        var forNewer = await gateway.GetAsync<PredictionView>(fan, $"/api/ratings/me/predictions/{newer}");
        Assert.Equal("baseline", forNewer.Basis);
        Assert.Equal("personal", (await gateway.GetAsync<PredictionView>(fan, $"/api/ratings/me/predictions/{world.Loved[6]}")).Basis);
    }

    [Theory]
    [InlineData("/api/ratings/me/predictions", "movieIds")]
    [InlineData("/api/ratings/me/predictions?movieIds=", "movieIds")]
    [InlineData("/api/ratings/me/predictions?movieIds=abc", "movieIds")]
    [InlineData("/api/ratings/me/predictions?movieIds=1,,2", "movieIds")]
    [InlineData("/api/ratings/me/predictions?movieIds=0", "movieIds")]
    [InlineData("/api/ratings/me/predictions?movieIds=-3", "movieIds")]
    [InlineData("/api/ratings/me/predictions?movieIds=101ids", "movieIds")]
    [InlineData("/api/ratings/me/recommendations?limit=0", "limit")]
    [InlineData("/api/ratings/me/recommendations?limit=101", "limit")]
    public async Task BadInputIsABadRequestNamingTheField(string path, string field)
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        path = path.Replace("101ids", string.Join(',', Enumerable.Range(1, 101)), StringComparison.Ordinal);

        using var response = await gateway.GetRawAsync(fan, path);

        Assert.Equal([field], await response.ProblemFieldsAsync());
    }

    [Fact]
    public async Task AFilmRatingsDoesNotKnowIsNotFound()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();

        using var response = await gateway.GetRawAsync(fan, $"/api/ratings/me/predictions/{EventsDriver.FreshMovieId()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/api/ratings/me/predictions/1")]
    [InlineData("GET", "/api/ratings/me/predictions?movieIds=1,2")]
    [InlineData("GET", "/api/ratings/me/recommendations")]
    [InlineData("GET", "/api/ratings/me/taste")]
    [InlineData("POST", "/api/ratings/admin/recommendations/train")]
    [InlineData("GET", "/api/ratings/admin/recommendations/model")]
    public async Task AnonymousCallersAreUnauthorized(string method, string path)
    {
        using var gateway = fixture.CreateGatewayClient();

        using var response = await gateway.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task OnlyAnAdminCanStartATraining()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();

        using var train = await gateway.SendAsync(fan, HttpMethod.Post, "/api/ratings/admin/recommendations/train");
        using var model = await gateway.SendAsync(fan, HttpMethod.Get, "/api/ratings/admin/recommendations/model");

        Assert.Equal(HttpStatusCode.Forbidden, train.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, model.StatusCode);
    }
}
