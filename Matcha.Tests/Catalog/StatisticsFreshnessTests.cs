using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matcha.Tests.Catalog;

/// <summary>What a user sees of new statistics: the film page and its card as soon as Catalog has applied them, cached browse lists within seconds.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class StatisticsFreshnessTests(MatchaAppFixture fixture)
{
    /// <summary>The documented bound is about a second (Rankings:RefreshInterval); the machine is shared and slow.</summary>
    private static readonly TimeSpan ListBound = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The statistics consumer drops the film's cached page right after its commit, so a read may still meet the old page
    /// in the moment between the two; without the drop it would be served for 10 s from a process's own copy and 10 min from
    /// Redis. Read through the gateway, the page may also be one the gateway kept for its second (Gateway:PageCache). Two
    /// seconds tells the two apart on a loaded machine. The same holds for the film's card (search, screens), which
    /// this process keeps for Catalog:Cards:LocalSeconds (5 s) and the consumer drops with the page.
    /// </summary>
    private static readonly TimeSpan PageBound = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task TheFilmPageAndItsCardShowNewStatisticsAsSoonAsCatalogCommitsAndCachedBrowseListsWithinSeconds()
    {
        using var gateway = fixture.CreateGatewayClient();
        var year = Random.Shared.Next(1871, 1900);
        var movieId = await fixture.AddFilmAsync(new DateOnly(year, 6, 1));
        var list = $"/api/catalog/movies?yearFrom={year}&yearTo={year}&sort=title&pageSize=100";
        // Both are read, and so cached, before the rating.
        Assert.Equal(0, (await CountInListAsync(gateway, list, movieId)));
        Assert.Equal(0, (await gateway.StatsAsync(movieId)).Count);
        Assert.Equal(0, await CardCountAsync(gateway, movieId));

        var fan = await gateway.NewFanAsync();
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, movieId, 4.0));
        var counted = await EventsDriver.EventuallyAsync(
            () => fixture.QueryAsync<int>("catalogdb", "SELECT rating_count FROM movies WHERE id = @p0", movieId), n => n == 1);
        Assert.Equal(1, counted);

        // Catalog has counted it: the film page says so as soon as the consumer has dropped the cached page after its commit.
        var shown = await EventsDriver.EventuallyAsync(async () => (await gateway.StatsAsync(movieId)).Count, n => n == 1, PageBound);
        Assert.Equal(1, shown);
        var onCard = await EventsDriver.EventuallyAsync(() => CardCountAsync(gateway, movieId), n => n == 1, PageBound);
        Assert.Equal(1, onCard);
        var inList = await EventsDriver.EventuallyAsync(() => CountInListAsync(gateway, list, movieId), n => n == 1, ListBound);
        Assert.Equal(1, inList);
    }

    private static async Task<int?> CardCountAsync(HttpClient gateway, int movieId) =>
        await CountInListAsync(gateway, $"/api/catalog/movies/cards?ids={movieId}", movieId);

    private static async Task<int?> CountInListAsync(HttpClient gateway, string path, int movieId)
    {
        var page = await gateway.GetFromJsonAsync<JsonElement>(path);
        return page.GetProperty("items").EnumerateArray()
            .Where(m => m.GetProperty("id").GetInt32() == movieId)
            .Select(m => (int?)m.GetProperty("stats").GetProperty("count").GetInt32())
            .SingleOrDefault();
    }
}
