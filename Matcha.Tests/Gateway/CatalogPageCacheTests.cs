using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Matcha.Catalog.Movies;

namespace Matcha.Tests.Gateway;

/// <summary>
/// The gateway answers a film's page asked again within its second (Gateway:PageCache) without
/// crossing to Catalog, keeps the signed-in and anonymous answers apart, and shows an edit made
/// through it at once (docs/architecture.md, "The gateway's page cache").
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class CatalogPageCacheTests(MatchaAppFixture fixture)
{
    private const int Readers = 20;

    [Fact]
    public async Task APageAskedAgainWithinASecondIsAnsweredByTheGatewayWithTheCallersOwnHeaders()
    {
        var film = await fixture.AddFilmAsync();
        using var anonymous = fixture.CreateGatewayClient();
        using var signedIn = fixture.CreateGatewayClient();
        var (tokens, _) = await signedIn.SignUpAndLoginAsync();
        signedIn.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        var path = $"/api/catalog/movies/{film}";

        // One read each way first, then a burst of each: the bursts find the page kept.
        using var firstAnonymous = await anonymous.GetAsync(path);
        using var firstSignedIn = await signedIn.GetAsync(path);
        var answers = await Task.WhenAll(Enumerable.Range(0, Readers)
            .SelectMany(_ => new[] { anonymous.GetAsync(path), signedIn.GetAsync(path) }));

        var calls = await CatalogCallsAsync($"/movies/{film}");
        Assert.InRange(calls, 2, 4);   // 2 × (1 + 20) reads; 2 when the bursts land within the second, a copy renewed at most once each
        foreach (var answer in answers.Append(firstAnonymous).Append(firstSignedIn))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal(film, (await answer.Content.ReadFromJsonAsync<MovieDetail>())!.Id);
            var personal = answer.RequestMessage!.Headers.Authorization is not null;
            Assert.Equal(personal, answer.Headers.CacheControl is { Private: true, NoStore: true });
            Assert.Equal(personal ? ["Authorization"] : [], answer.Headers.Vary.ToArray());
            answer.Dispose();
        }
    }

    [Fact]
    public async Task AnEditThroughTheGatewayShowsOnTheNextReadThoughThePageWasKept()
    {
        using var admin = fixture.CreateGatewayClient();
        var adminTokens = await admin.LoginAsync(await fixture.ParameterAsync("admin-email"), await fixture.ParameterAsync("admin-password"));
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminTokens.AccessToken);
        using var anonymous = fixture.CreateGatewayClient();
        using var created = await admin.PostAsJsonAsync("/api/catalog/movies", Input("Kept For A Second", version: null));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var path = $"/api/catalog/movies/{(await created.Content.ReadFromJsonAsync<MovieDetail>())!.Id}";
        var before = (await anonymous.GetFromJsonAsync<MovieDetail>(path))!;   // kept for a second from here

        using var update = await admin.PutAsJsonAsync(path, Input("Edited Through The Gateway", before.Version));
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);

        var after = (await anonymous.GetFromJsonAsync<MovieDetail>(path))!;
        Assert.Equal("Edited Through The Gateway", after.Titles["en"]);
        Assert.Equal(before.Version + 1, after.Version);
    }

    private static MovieInput Input(string title, int? version) => new(
        Titles: new() { ["en"] = title }, OriginalTitle: title, OriginalLanguage: "en", Year: 2003, ReleaseDate: new DateOnly(2003, 5, 1),
        Runtime: 95, Genres: ["drama"], Countries: ["XQ"], Synopsis: new() { ["en"] = "A film made for a test." },
        PosterUrl: null, ImdbId: null, TmdbId: null, Version: version);

    /// <summary>How many requests for the path Catalog served, from its exported server spans once they stop arriving.</summary>
    private async Task<int> CatalogCallsAsync(string catalogPath)
    {
        int Calls() => fixture.Traces.SpansNamed("GET /movies/{id:int}")
            .Count(s => s.Service == "catalog" && s.Kind == ExportedSpan.ServerKind && s.Attributes.GetValueOrDefault("url.path") == catalogPath);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Calls() == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        await Task.Delay(TimeSpan.FromSeconds(2));   // spans are exported in batches
        return Calls();
    }
}
