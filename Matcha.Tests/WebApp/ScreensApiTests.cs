using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matcha.Tests.WebApp;

/// <summary>The screen documents: one call per screen, personal parts for their owner only, never stored by a shared cache.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class ScreensApiTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task FilmScreenCarriesMyOwnRatingAndIsNeverStoredForAnotherUser()
    {
        var film = await fixture.AddKoreanFilmAsync();
        using var gateway = fixture.CreateGatewayClient();
        var ann = await gateway.NewFanAsync();
        var bob = await gateway.NewFanAsync();
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(ann, film.Id, 3.5));

        using var annResponse = await gateway.SendAsync(ann, HttpMethod.Get, $"/api/screens/movie/{film.Id}");
        using var bobResponse = await gateway.SendAsync(bob, HttpMethod.Get, $"/api/screens/movie/{film.Id}");

        foreach (var response in new[] { annResponse, bobResponse })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.Headers.CacheControl is { Private: true, NoStore: true }, $"Cache-Control: {response.Headers.CacheControl}");
        }
        var annScreen = await annResponse.Content.ReadFromJsonAsync<JsonElement>();
        var bobScreen = await bobResponse.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3.5, annScreen.GetProperty("mine").GetProperty("score").GetDouble());
        Assert.Equal(JsonValueKind.Null, bobScreen.GetProperty("mine").GetProperty("score").ValueKind);
        Assert.True(annScreen.GetProperty("signedIn").GetBoolean());
    }

    [Fact]
    public async Task TheFilmScreenShowsMyWishMyCommentAndTheCommentsILikedOnThatFilmOnly()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (fan, other, third) = (await gateway.NewFanAsync(), await gateway.NewFanAsync(), await gateway.NewFanAsync());
        var (film, elsewhere) = (await fixture.AddFilmAsync(), await fixture.AddFilmAsync());
        var liked = await gateway.CommentAsync(other, film, "Liked by the fan.");
        var notLiked = await gateway.CommentAsync(third, film, "Not liked by the fan.");   // one comment per member and film
        var likedElsewhere = await gateway.CommentAsync(other, elsewhere, "Liked, on another film.");
        foreach (var comment in new[] { liked, likedElsewhere })
        {
            await gateway.ExpectAsync(fan, HttpMethod.Put, $"/api/ratings/comments/{comment}/like", null, HttpStatusCode.NoContent);
        }
        var mine = await gateway.CommentAsync(fan, film, "My own.");
        Assert.Equal(HttpStatusCode.NoContent, await gateway.WishAsync(fan, film, "watching"));

        var screen = await gateway.GetAsync<JsonElement>(fan, $"/api/screens/movie/{film}");
        var state = screen.GetProperty("mine");
        Assert.Equal("watching", state.GetProperty("wish").GetString(), ignoreCase: true);
        Assert.Equal(mine, state.GetProperty("commentId").GetInt64());
        Assert.Equal([liked], state.GetProperty("likedCommentIds").EnumerateArray().Select(id => id.GetInt64()));
        var likedByMe = screen.GetProperty("comments").EnumerateArray()
            .ToDictionary(comment => comment.GetProperty("id").GetInt64(), comment => comment.GetProperty("likedByMe").GetBoolean());
        Assert.Equal(new Dictionary<long, bool> { [liked] = true, [notLiked] = false, [mine] = false }, likedByMe);

        // The other film: no wish, no comment of mine, and only its own comment liked.
        var otherScreen = await gateway.GetAsync<JsonElement>(fan, $"/api/screens/movie/{elsewhere}");
        var otherState = otherScreen.GetProperty("mine");
        Assert.Equal(JsonValueKind.Null, otherState.GetProperty("wish").ValueKind);
        Assert.Equal(JsonValueKind.Null, otherState.GetProperty("commentId").ValueKind);
        Assert.Equal([likedElsewhere], otherState.GetProperty("likedCommentIds").EnumerateArray().Select(id => id.GetInt64()));
    }

    [Fact]
    public async Task TheFilmScreenFillsThePredictedRatingSlotOnceAModelIsTrained()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (fan, film, _) = await RatedOneOfTwoFilmsWithAModelAsync(gateway);

        var screen = await gateway.GetAsync<JsonElement>(fan, $"/api/screens/movie/{film.Id}");

        var prediction = screen.GetProperty("prediction");
        Assert.Equal("personal", prediction.GetProperty("basis").GetString());
        AssertHalfStars(prediction.GetProperty("predicted").GetDouble());
        Assert.Equal(1, prediction.GetProperty("ratingCount").GetInt32());   // the fan has rated one film
        Assert.Empty(screen.GetProperty("unavailable").EnumerateArray());
    }

    [Fact]
    public async Task ListsShowMyScoreOnFilmsIRatedAndMyPredictedRatingOnTheOthers()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (fan, _, other) = await RatedOneOfTwoFilmsWithAModelAsync(gateway);

        var home = await gateway.GetAsync<JsonElement>(fan, "/api/screens/home");

        var recommended = home.GetProperty("recommended").EnumerateArray().ToList();
        Assert.NotEmpty(recommended);
        Assert.DoesNotContain(other.Id, recommended.Select(card => card.GetProperty("id").GetInt32()));
        Assert.All(recommended, card =>
        {
            Assert.False(string.IsNullOrEmpty(card.GetProperty("originalTitle").GetString()));   // Catalog's film
            AssertHalfStars(card.GetProperty("predicted").GetDouble());
            Assert.Equal(1, card.GetProperty("predictedFrom").GetInt32());
        });
        var cards = home.GetProperty("rankings").EnumerateObject()
            .SelectMany(list => list.Value.GetProperty("items").EnumerateArray())
            .Concat(home.GetProperty("continueRating").EnumerateArray()).ToList();
        Assert.All(cards, card => Assert.False(card.TryGetProperty("myScore", out _) && card.TryGetProperty("predicted", out _)));
        Assert.Contains(cards, card => card.TryGetProperty("predicted", out _));
        Assert.Empty(home.GetProperty("unavailable").EnumerateArray());

        // A person's filmography: the film I rated shows my score, not a prediction.
        var detail = await gateway.GetAsync<JsonElement>(fan, $"/api/catalog/movies/{other.Id}");
        var director = detail.GetProperty("credits").EnumerateArray().Single().GetProperty("personId").GetInt32();
        var person = await gateway.GetAsync<JsonElement>(fan, $"/api/screens/person/{director}");
        var entry = Assert.Single(person.GetProperty("person").GetProperty("filmography").EnumerateArray()).GetProperty("movie");
        Assert.Equal(4.5, entry.GetProperty("myScore").GetDouble());
        Assert.False(entry.TryGetProperty("predicted", out _));
    }

    [Fact]
    public async Task MyScreenCarriesMyTaste()
    {
        var film = await fixture.AddKoreanFilmAsync();
        var other = await fixture.AddKoreanFilmAsync();
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, film.Id, 4.5));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, other.Id, 2.0));

        var screen = await gateway.GetAsync<JsonElement>(fan, "/api/screens/me");

        var taste = screen.GetProperty("taste");
        Assert.Equal(2, taste.GetProperty("ratingCount").GetInt32());
        Assert.Equal([0, 0, 0, 1, 0, 0, 0, 0, 1, 0], taste.GetProperty("distribution").EnumerateArray().Select(n => n.GetInt32()));
        Assert.Equal(3.25, taste.GetProperty("myAverage").GetDouble(), 3);
        Assert.Equal(236, taste.GetProperty("totalRuntimeMinutes").GetInt32());
        Assert.Contains("Drama", taste.GetProperty("genres").EnumerateArray().Select(g => g.GetProperty("name").GetString()));
    }

    /// <summary>Two films five other people rated, a fan who rated the second, and a model trained on all of it.</summary>
    private async Task<(Fan Fan, TestFilm Unrated, TestFilm Rated)> RatedOneOfTwoFilmsWithAModelAsync(HttpClient gateway)
    {
        var film = await fixture.AddKoreanFilmAsync();
        var other = await fixture.AddKoreanFilmAsync();
        var fan = await gateway.NewFanAsync();
        await fixture.AddRatingsAsync(Enumerable.Range(0, 5).SelectMany(_ =>
        {
            var someone = Guid.NewGuid();
            return new[] { (someone, film.Id, 4.5m), (someone, other.Id, 4.0m) };
        }));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, other.Id, 4.5));
        await fixture.TrainAsync(gateway);
        return (fan, film, other);
    }

    private static void AssertHalfStars(double predicted)
    {
        Assert.InRange(predicted, 0.5, 5.0);
        Assert.Equal(predicted * 2, Math.Round(predicted * 2));
    }

    [Fact]
    public async Task AnAnonymousFilmScreenHasTheFilmAndNothingPersonal()
    {
        var film = await fixture.AddKoreanFilmAsync();
        using var gateway = fixture.CreateGatewayClient();

        using var response = await gateway.GetAsync($"/api/screens/movie/{film.Id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var screen = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(film.EnglishTitle, screen.GetProperty("movie").GetProperty("titles").GetProperty("en").GetString());
        Assert.False(screen.GetProperty("signedIn").GetBoolean());
        Assert.Equal(JsonValueKind.Null, screen.GetProperty("mine").ValueKind);
        Assert.Empty(screen.GetProperty("unavailable").EnumerateArray());
        Assert.Contains("Authorization", response.Headers.Vary);
    }

    [Fact]
    public async Task AnUnknownFilmIs404AndMyScreenNeedsSignIn()
    {
        using var gateway = fixture.CreateGatewayClient();

        using var unknown = await gateway.GetAsync($"/api/screens/movie/{EventsDriver.FreshMovieId()}");
        using var me = await gateway.GetAsync("/api/screens/me");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task ContinueRatingLeavesOutTheFilmsIHaveRated()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        var before = await gateway.GetAsync<JsonElement>(fan, "/api/screens/home");
        var first = before.GetProperty("continueRating").EnumerateArray().First().GetProperty("id").GetInt32();

        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, first, 4.0));
        var after = await gateway.GetAsync<JsonElement>(fan, "/api/screens/home");

        Assert.DoesNotContain(first, after.GetProperty("continueRating").EnumerateArray().Select(f => f.GetProperty("id").GetInt32()));
        Assert.NotEmpty(after.GetProperty("continueRating").EnumerateArray());
    }

    [Fact]
    public async Task MyScreenListsMyRatingWithTheFilmsTitle()
    {
        var film = await fixture.AddKoreanFilmAsync();
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, film.Id, 2.5));

        var screen = await gateway.GetAsync<JsonElement>(fan, "/api/screens/me");

        var rating = Assert.Single(screen.GetProperty("ratings").EnumerateArray());
        Assert.Equal(2.5, rating.GetProperty("score").GetDouble());
        Assert.Equal(film.EnglishTitle, rating.GetProperty("movie").GetProperty("titles").GetProperty("en").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("1,two,3")]
    [InlineData("-1")]
    public async Task MyFilmStatesNameTheIdsFieldWhenTheyAreNotFilmIds(string ids)
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();

        using var response = await gateway.SendAsync(fan, HttpMethod.Get, $"/api/ratings/me/movies?ids={ids}");

        Assert.Equal(["ids"], await response.ProblemFieldsAsync());
    }

    [Fact]
    public async Task TheGatewaysOpenApiDocumentDescribesEachScreenDownToItsFilms()
    {
        using var gateway = fixture.CreateGatewayClient();

        var document = await gateway.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var schemas = document.GetProperty("components").GetProperty("schemas");
        foreach (var (screen, part) in new[] { ("HomeScreen", "rankings"), ("MovieScreen", "movie"), ("PersonScreen", "person"), ("MyScreen", "taste") })
        {
            var properties = schemas.GetProperty(screen).GetProperty("properties");
            Assert.True(properties.TryGetProperty(part, out _), $"{screen} has no {part}");
            Assert.True(properties.TryGetProperty("unavailable", out _), $"{screen} has no unavailable");
        }
        var film = schemas.GetProperty("Film").GetProperty("properties");
        string[] filmFields = ["id", "titles", "posterUrl", "myScore", "predicted"];
        Assert.All(filmFields, field => Assert.True(film.TryGetProperty(field, out _), $"Film has no {field}"));
        Assert.True(schemas.GetProperty("Person").GetProperty("properties").TryGetProperty("filmography", out _));
    }

    [Fact]
    public async Task TheWebAppIsServedAtItsRoutesButNotForUnknownApiPaths()
    {
        using var gateway = fixture.CreateGatewayClient();

        foreach (var path in new[] { "/", "/movies/1", "/people/1", "/search?q=x", "/signin", "/signup", "/me" })
        {
            using var page = await gateway.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        }
        using var script = await gateway.GetAsync("/js/app.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        using var routes = await gateway.GetAsync("/js/routes.json");   // the page reads the same route list
        Assert.Equal(HttpStatusCode.OK, routes.StatusCode);
        using var unknownApi = await gateway.GetAsync("/api/nothing-here");
        Assert.Equal(HttpStatusCode.Unauthorized, unknownApi.StatusCode);
    }
}
