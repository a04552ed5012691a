using System.Net.Http.Json;
using System.Text.Json;
using Matcha.Catalog.Movies;
using Matcha.ServiceDefaults;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Tests.Catalog;

[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class DefaultCatalogueLoadTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task TheDefaultCatalogueIsThereAfterFirstStartAndNotDuplicatedAfterARestart()
    {
        var shipped = ShippedKeys();
        await using var db = await CatalogData.ContextAsync(fixture);
        Assert.Equal(shipped.Count, await db.Movies.CountAsync(m => m.Key != null));

        await fixture.RestartAsync("catalog");

        Assert.Equal(shipped.Count, await db.Movies.CountAsync(m => m.Key != null));
        Assert.Equal(1, await db.CatalogueLoads.CountAsync());
        using var client = fixture.CreateGatewayClient();
        var top = await client.GetFromJsonAsync<Page<MovieSummary>>("/api/catalog/movies?country=KR&sort=title&pageSize=100");
        Assert.True(top!.Items.Count >= 60, "at least sixty Korean films ship with Matcha");
    }

    private static HashSet<string> ShippedKeys()
    {
        using var file = File.OpenRead(Path.Combine(MovieLensData.RepositoryRoot(), "Matcha.Catalog", "Seed", "catalogue.json"));
        using var json = JsonDocument.Parse(file);
        return [.. json.RootElement.GetProperty("movies").EnumerateArray().Select(m => m.GetProperty("key").GetString()!)];
    }
}
