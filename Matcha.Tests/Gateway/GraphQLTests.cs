using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matcha.Tests.Gateway;

/// <summary>
/// GraphQL at the gateway, <c>POST /api/graphql</c>: batched reads (one call per service for 50
/// films with my states), limits that refuse before any call, closed signed-in fields, partial data
/// when a service is down, and the film screen's data equal to the REST screen's.
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class GraphQLTests(MatchaAppFixture fixture)
{
    private static readonly string[] Services = ["catalog", "ratings"];

    [Fact]
    public async Task FiftyFilmsWithMyStatesAskCatalogAndRatingsOnceEach()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        var ids = (await gateway.GetFromJsonAsync<JsonElement>("/api/catalog/movies?sort=title&pageSize=50"))
            .GetProperty("items").EnumerateArray().Select(film => film.GetProperty("id").GetInt32()).ToList();
        Assert.Equal(50, ids.Count);
        // The film rated is the test's own: a shared catalogue's film may be edited or removed by another test meanwhile,
        // and a rating Catalog then rejects is no longer "mine".
        ids[7] = await fixture.AddFilmAsync();
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, ids[7], 4.5));

        var (status, answer, calls) = await QueryCountingCallsAsync(gateway, fan,
            $"{{ films(ids: [{string.Join(',', ids)}]) {{ id title mine {{ score predicted basis }} }} }}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(answer.TryGetProperty("errors", out var errors), errors.ToString());
        var films = answer.GetProperty("data").GetProperty("films").EnumerateArray().ToList();
        Assert.Equal(ids, films.Select(film => film.GetProperty("id").GetInt32()));
        Assert.Equal(4.5, films[7].GetProperty("mine").GetProperty("score").GetDouble());
        Assert.Equal(1, calls["catalog"]);
        Assert.Equal(1, calls["ratings"]);
    }

    [Fact]
    public async Task AnonymousAskingForASignedInFieldGetsAnErrorAndNoData()
    {
        using var gateway = fixture.CreateGatewayClient();

        foreach (var query in (string[])["{ me { ratings { movieId } } }", "{ films(ids: [1, 2]) { id mine { score } } }"])
        {
            using var response = await gateway.PostAsJsonAsync("/api/graphql", new { query });
            var answer = await response.Content.ReadFromJsonAsync<JsonElement>();

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.False(answer.TryGetProperty("data", out _));
            Assert.Contains("needs a signed-in caller", answer.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("depth", "{ person(id: 1) { filmography { film { credits { names { text } } } } } }", "maximum allowed on this endpoint is 5")]
    [InlineData("cost", "COSTLY", "maximum allowed on this endpoint is 3000")]
    public async Task AQueryOverALimitIsRefusedWith400NamingItBeforeAnyCall(string limit, string query, string named)
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        var hundred = string.Join(',', Enumerable.Range(1, 100));
        var costly = "{ " + string.Concat(Enumerable.Range(0, 10).Select(i => $"f{i}: films(ids: [{hundred}]) {{ id title genres mine {{ score predicted }} }} ")) + "}";

        var (status, answer, calls) = await QueryCountingCallsAsync(gateway, fan, query == "COSTLY" ? costly : query);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var message = answer.GetProperty("errors")[0].GetProperty("message").GetString()!;
        Assert.Contains(limit == "depth" ? "nested" : "complex", message, StringComparison.Ordinal);
        Assert.Contains(named, message, StringComparison.Ordinal);
        Assert.Equal(0, calls["catalog"] + calls["ratings"]);
    }

    [Fact]
    public async Task TheFilmScreenThroughGraphQLEqualsTheRestScreen()
    {
        var film = await fixture.AddKoreanFilmAsync();
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, film.Id, 3.5));
        // Both reads after Catalog has counted the rating: otherwise each may see a different moment of it.
        await EventsDriver.EventuallyAsync(() => gateway.StatsAsync(film.Id), s => s.Count == 1);

        var rest = await gateway.GetAsync<JsonElement>(fan, $"/api/screens/movie/{film.Id}");
        var (status, answer) = await QueryAsync(gateway, fan, $$"""
            { film(id: {{film.Id}}) {
                id originalTitle year posterUrl titles { language text } genres
                stats { average count wishes comments }
                credits { personId role character names { language text } }
                mine { score wish } } }
            """);

        Assert.Equal(HttpStatusCode.OK, status);
        var graph = answer.GetProperty("data").GetProperty("film");
        var movie = rest.GetProperty("movie");
        Assert.Equal(movie.GetProperty("id").GetInt32(), graph.GetProperty("id").GetInt32());
        Assert.Equal(movie.GetProperty("originalTitle").GetString(), graph.GetProperty("originalTitle").GetString());
        Assert.Equal(movie.GetProperty("year").GetInt32(), graph.GetProperty("year").GetInt32());
        Assert.Equal(movie.GetProperty("titles").Deserialize<Dictionary<string, string>>(), Texts(graph.GetProperty("titles")));
        Assert.Equal(movie.GetProperty("genres").Deserialize<string[]>(), graph.GetProperty("genres").Deserialize<string[]>());
        var (restStats, graphStats) = (movie.GetProperty("stats"), graph.GetProperty("stats"));
        Assert.All((string[])["count", "wishes", "comments"], name => Assert.Equal(restStats.GetProperty(name).GetInt32(), graphStats.GetProperty(name).GetInt32()));
        Assert.Equal(restStats.GetProperty("average").ToString(), graphStats.GetProperty("average").ToString());
        var (restCredits, graphCredits) = (movie.GetProperty("credits").EnumerateArray().ToList(), graph.GetProperty("credits").EnumerateArray().ToList());
        Assert.Equal(restCredits.Count, graphCredits.Count);
        for (var i = 0; i < restCredits.Count; i++)
        {
            Assert.Equal(restCredits[i].GetProperty("personId").GetInt32(), graphCredits[i].GetProperty("personId").GetInt32());
            Assert.Equal(restCredits[i].GetProperty("role").GetString(), graphCredits[i].GetProperty("role").GetString());
            Assert.Equal(restCredits[i].GetProperty("names").Deserialize<Dictionary<string, string>>(), Texts(graphCredits[i].GetProperty("names")));
        }
        Assert.Equal(rest.GetProperty("mine").GetProperty("score").GetDouble(), graph.GetProperty("mine").GetProperty("score").GetDouble());
        Assert.Equal(3.5, graph.GetProperty("mine").GetProperty("score").GetDouble());
    }

    [Fact]
    public async Task WithRatingsStoppedTheAnswerHasCatalogsDataAndAnErrorNamingRatings()
    {
        var film = await fixture.AddKoreanFilmAsync();
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();

        await fixture.StopAsync("ratings");
        try
        {
            var (status, answer) = await QueryAsync(gateway, fan, $"{{ films(ids: [{film.Id}]) {{ id title mine {{ score }} }} }}");

            Assert.Equal(HttpStatusCode.OK, status);
            var only = Assert.Single(answer.GetProperty("data").GetProperty("films").EnumerateArray());
            Assert.Equal(film.EnglishTitle, only.GetProperty("title").GetString());
            Assert.Equal(JsonValueKind.Null, only.GetProperty("mine").ValueKind);
            var error = Assert.Single(answer.GetProperty("errors").EnumerateArray());
            Assert.Equal("SERVICE_UNAVAILABLE", error.GetProperty("extensions").GetProperty("code").GetString());
            Assert.Equal("ratings", error.GetProperty("extensions").GetProperty("service").GetString());
        }
        finally
        {
            await fixture.StartAgainAsync("ratings");
        }
        var back = await EventsDriver.EventuallyAsync(
            () => gateway.GetAsync<JsonElement>(fan, $"/api/screens/movie/{film.Id}"),
            s => !s.GetProperty("unavailable").EnumerateArray().Any(e => e.GetString() == "ratings"));
        Assert.DoesNotContain("ratings", back.GetProperty("unavailable").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task ABodyWithoutAQueryIsA400NamingQuery()
    {
        using var gateway = fixture.CreateGatewayClient();

        using var response = await gateway.PostAsJsonAsync("/api/graphql", new { variables = new { } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["query"], await response.ProblemFieldsAsync());
    }

    private static Dictionary<string, string> Texts(JsonElement list) =>
        list.EnumerateArray().ToDictionary(t => t.GetProperty("language").GetString()!, t => t.GetProperty("text").GetString()!);

    private static async Task<(HttpStatusCode Status, JsonElement Answer)> QueryAsync(HttpClient gateway, Fan fan, string query)
    {
        using var response = await gateway.SendAsync(fan, HttpMethod.Post, "/api/graphql", new { query });
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>
    /// The answer, and how many requests Catalog and Ratings served in its trace, read once every call the gateway made
    /// has its server's span (so not for a query to a service that is down: its call has none, and this would wait 20 s).
    /// </summary>
    private async Task<(HttpStatusCode Status, JsonElement Answer, Dictionary<string, int> Calls)> QueryCountingCallsAsync(HttpClient gateway, Fan fan, string query)
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var response = await gateway.SendAsync(fan, HttpMethod.Post, "/api/graphql", new { query },
            traceParent: $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        var spans = await fixture.Traces.WaitForTraceAsync(traceId, spans =>
            spans.Any(s => s.Service == "gateway" && s.Kind == ExportedSpan.ServerKind)
            && spans.Where(s => s.Service == "gateway" && s.Kind == ExportedSpan.ClientKind)
                .All(call => spans.Any(s => s.Kind == ExportedSpan.ServerKind && s.ParentSpanId == call.SpanId)),
            TimeSpan.FromSeconds(20));
        return (response.StatusCode, answer, Services.ToDictionary(
            service => service, service => spans.Count(s => s.Service == service && s.Kind == ExportedSpan.ServerKind)));
    }
}
