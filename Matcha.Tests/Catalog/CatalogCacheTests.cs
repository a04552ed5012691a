using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Matcha.Catalog.Movies;

namespace Matcha.Tests.Catalog;

[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class CatalogCacheTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task ABurstOfRequestsForOneUncachedFilmReadsTheDatabaseOnce()
    {
        var (single, burst) = await NewFilmsAsync("Single", "Burst");
        using var client = fixture.CreateGatewayClient();

        var oneRequest = await DatabaseLoadsAsync(client, single, requests: 1);
        var twentyRequests = await DatabaseLoadsAsync(client, burst, requests: 20);

        Assert.Equal(1, oneRequest);
        Assert.Equal(1, twentyRequests);
    }

    [Fact]
    public async Task ReadsKeepAnsweringCorrectlyWhileRedisIsDown()
    {
        var (film, _) = await NewFilmsAsync("Redis Down", "Unused");
        using var client = fixture.CreateGatewayClient();
        await fixture.App.ResourceCommands.ExecuteCommandAsync("redis", KnownResourceCommands.StopCommand);
        try
        {
            for (var i = 0; i < 5; i++)
            {
                var detail = await client.GetFromJsonAsync<MovieDetail>($"/api/catalog/movies/{film}");
                Assert.Equal("Redis Down", detail!.Titles["en"]);
                using var list = await client.GetAsync("/api/catalog/movies?sort=title");
                Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            }
        }
        finally
        {
            await fixture.StartAgainAsync("redis");   // waits out the old process and a start that lost the race for its port
        }
    }

    /// <summary>Sends <paramref name="requests"/> concurrent reads of one film; counts the database loads Catalog reports for it.</summary>
    private async Task<int> DatabaseLoadsAsync(HttpClient client, int movieId, int requests)
    {
        await Task.WhenAll(Enumerable.Range(0, requests).Select(async _ =>
        {
            using var response = await client.GetAsync($"/api/catalog/movies/{movieId}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }));

        // Spans are exported in batches: wait until the count stops changing.
        int Loads() => fixture.Traces.SpansNamed("catalog.movie.load").Count(s => s.Attributes.GetValueOrDefault("matcha.movie.id") == movieId.ToString(CultureInfo.InvariantCulture));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Loads() == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        await Task.Delay(1000);
        return Loads();
    }

    private async Task<(int, int)> NewFilmsAsync(string first, string second)
    {
        var country = CatalogData.UniqueCountry();
        await using var db = await CatalogData.ContextAsync(fixture);
        var a = CatalogData.Film(country, first, 2000, ["drama"]);
        var b = CatalogData.Film(country, second, 2000, ["drama"]);
        db.Movies.AddRange(a, b);
        await db.SaveChangesAsync();
        return (a.Id, b.Id);
    }
}
