using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matcha.Tests.WebApp;

/// <summary>
/// Every screen asks each service at most once, however many films it shows: counted from the
/// traces the services export (each request a service serves is one server span in the screen's
/// trace). And the batch reads the screens use answer in the order asked and refuse bad ids.
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class ScreenCallCountTests(MatchaAppFixture fixture)
{
    private static readonly string[] Services = ["catalog", "ratings"];

    [Fact]
    public async Task EveryScreenAsksCatalogAndRatingsOnceEachForASignedInFanWithAModel()
    {
        var films = new List<TestFilm>();
        for (var i = 0; i < 3; i++)
        {
            films.Add(await fixture.AddKoreanFilmAsync());
        }
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        await fixture.AddRatingsAsync(Enumerable.Range(0, 5).SelectMany(_ =>
        {
            var someone = Guid.NewGuid();
            return films.Select(film => (someone, film.Id, 4.0m));
        }));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, films[0].Id, 4.5));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.WishAsync(fan, films[1].Id));
        using (var comment = await gateway.SendAsync(fan, HttpMethod.Post, $"/api/ratings/movies/{films[0].Id}/comments", new { text = "A house on a hill." }))
        {
            Assert.Equal(HttpStatusCode.Created, comment.StatusCode);
        }
        await fixture.TrainAsync(gateway);
        var detail = await gateway.GetAsync<JsonElement>(fan, $"/api/catalog/movies/{films[0].Id}");
        var director = detail.GetProperty("credits").EnumerateArray().Single().GetProperty("personId").GetInt32();

        foreach (var screen in new[] { "/api/screens/home", $"/api/screens/movie/{films[0].Id}", $"/api/screens/person/{director}", "/api/screens/me", "/api/screens/rate-to-start" })
        {
            var (document, calls, catalogCalls) = await CallsOfAsync(gateway, fan, screen);
            Assert.Empty(document.GetProperty("unavailable").EnumerateArray());
            // Once each: every screen shows films (Catalog) marked with the fan's own state (Ratings).
            Assert.All(Services, service => Assert.True(calls[service] == 1, $"{screen} asked {service} {calls[service]} times"));
            if (screen is "/api/screens/home" or "/api/screens/me")
            {
                // The cards of the fan's recommendations and own lists come over gRPC, the trace continuing across it.
                Assert.Equal([GrpcFilmCards], catalogCalls);
            }
        }
    }

    [Fact]
    public async Task AnonymousScreensAskCatalogAtMostOnceAndRatingsNever()
    {
        var film = await fixture.AddKoreanFilmAsync();
        using var gateway = fixture.CreateGatewayClient();
        var detail = await gateway.GetFromJsonAsync<JsonElement>($"/api/catalog/movies/{film.Id}");
        var director = detail.GetProperty("credits").EnumerateArray().Single().GetProperty("personId").GetInt32();

        foreach (var (screen, catalog) in new[] { ("/api/screens/home", 0), ($"/api/screens/movie/{film.Id}", 1), ($"/api/screens/person/{director}", 1) })
        {
            var (document, calls, _) = await CallsOfAsync(gateway, fan: null, screen);
            Assert.Empty(document.GetProperty("unavailable").EnumerateArray());
            // The home screen's public lists are the gateway's shared copy: an anonymous home asks no one.
            Assert.True(calls["catalog"] == catalog, $"{screen} asked catalog {calls["catalog"]} times");
            Assert.True(calls["ratings"] == 0, $"{screen} asked ratings {calls["ratings"]} times");
        }
    }

    [Fact]
    public async Task FilmCardsComeInTheOrderAskedWithUnknownIdsLeftOut()
    {
        var first = await fixture.AddKoreanFilmAsync();
        var second = await fixture.AddKoreanFilmAsync();
        using var gateway = fixture.CreateGatewayClient();

        var cards = await gateway.GetFromJsonAsync<JsonElement>($"/api/catalog/movies/cards?ids={second.Id},{int.MaxValue},{first.Id},{second.Id}");

        var items = cards.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([second.Id, first.Id], items.Select(card => card.GetProperty("id").GetInt32()));
        Assert.Equal(first.EnglishTitle, items[1].GetProperty("titles").GetProperty("en").GetString());

        var detail = await gateway.GetFromJsonAsync<JsonElement>($"/api/catalog/movies/{first.Id}");
        var director = detail.GetProperty("credits").EnumerateArray().Single().GetProperty("personId").GetInt32();
        var people = await gateway.GetFromJsonAsync<JsonElement>($"/api/catalog/people/cards?ids={director}");
        Assert.Equal(first.Director, Assert.Single(people.GetProperty("items").EnumerateArray()).GetProperty("names").GetProperty("en").GetString());
    }

    [Theory]
    [InlineData("/api/catalog/movies/cards?ids=", "ids")]
    [InlineData("/api/catalog/movies/cards?ids=1,two", "ids")]
    [InlineData("/api/catalog/movies/cards?ids=0", "ids")]
    [InlineData("/api/catalog/movies/cards?ids=TOO_MANY", "ids")]
    [InlineData("/api/catalog/people/cards?ids=1,,2", "ids")]
    [InlineData("/api/catalog/people/cards?ids=TOO_MANY", "ids")]
    public async Task BatchReadsOfCardsNameTheIdsFieldWhenTheyAreNotUpTo100Ids(string path, string field)
    {
        using var gateway = fixture.CreateGatewayClient();

        using var response = await gateway.GetAsync(path.Replace("TOO_MANY", string.Join(',', Enumerable.Range(1, 101)), StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([field], await response.ProblemFieldsAsync());
    }

    [Theory]
    [InlineData("/api/ratings/me/movies?ids=TOO_MANY", "ids")]
    [InlineData("/api/ratings/me/movies?ids=1&recommendations=0", "recommendations")]
    [InlineData("/api/ratings/me/movies/1?comments=101", "comments")]
    [InlineData("/api/ratings/me/overview?rows=0", "rows")]
    public async Task MyBatchReadsNameTheFieldThatIsOutOfRange(string path, string field)
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();

        using var response = await gateway.SendAsync(fan, HttpMethod.Get, path.Replace("TOO_MANY", string.Join(',', Enumerable.Range(1, 101)), StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([field], await response.ProblemFieldsAsync());
    }

    private const string GrpcFilmCards = "POST /matcha.catalog.v1.CatalogCards/GetFilmCards";

    /// <summary>The screen's document, how many requests each service served in its trace, and the names of Catalog's.</summary>
    private async Task<(JsonElement Document, Dictionary<string, int> Calls, IReadOnlyList<string> CatalogCalls)> CallsOfAsync(HttpClient gateway, Fan? fan, string path)
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var traceParent = $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01";
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("traceparent", traceParent);
        if (fan is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fan.AccessToken);
        }
        using var response = await gateway.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await response.Content.ReadFromJsonAsync<JsonElement>();

        // Done when the gateway's span is in and every call it made has reached its service's span.
        var spans = await fixture.Traces.WaitForTraceAsync(traceId, spans =>
            spans.Any(s => s.Service == "gateway" && s.Kind == ExportedSpan.ServerKind)
            && spans.Where(s => s.Service == "gateway" && s.Kind == ExportedSpan.ClientKind)
                .All(call => spans.Any(s => s.Kind == ExportedSpan.ServerKind && s.ParentSpanId == call.SpanId)),
            TimeSpan.FromSeconds(20));
        return (document, Services.ToDictionary(service => service, service => spans.Count(s => s.Service == service && s.Kind == ExportedSpan.ServerKind)),
            [.. spans.Where(s => s.Service == "catalog" && s.Kind == ExportedSpan.ServerKind).Select(s => s.Name)]);
    }
}
