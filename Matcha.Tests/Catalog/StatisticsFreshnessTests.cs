using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matcha.Tests.Catalog;

/// <summary>What a user sees of new statistics: the film page at once, cached browse lists within seconds.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class StatisticsFreshnessTests(MatchaAppFixture fixture)
{
    /// <summary>The documented bound is about a second (Rankings:RefreshInterval); the machine is shared and slow.</summary>
    private static readonly TimeSpan ListBound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task TheFilmPageShowsNewStatisticsAtOnceAndCachedBrowseListsWithinSeconds()
    {
        using var gateway = fixture.CreateGatewayClient();
        var year = Random.Shared.Next(1871, 1900);
        var movieId = await fixture.AddFilmAsync(new DateOnly(year, 6, 1));
        var list = $"/api/catalog/movies?yearFrom={year}&yearTo={year}&sort=title&pageSize=100";
        // Both are read, and so cached, before the rating.
        Assert.Equal(0, (await CountInListAsync(gateway, list, movieId)));
        Assert.Equal(0, (await gateway.StatsAsync(movieId)).Count);

        var fan = await gateway.NewFanAsync();
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, movieId, 4.0));
        var counted = await EventsDriver.EventuallyAsync(
            () => fixture.QueryAsync<int>("catalogdb", "SELECT rating_count FROM movies WHERE id = @p0", movieId), n => n == 1);
        Assert.Equal(1, counted);

        // Catalog has counted it: the film page says so on the very next read.
        Assert.Equal(1, (await gateway.StatsAsync(movieId)).Count);
        var inList = await EventsDriver.EventuallyAsync(() => CountInListAsync(gateway, list, movieId), n => n == 1, ListBound);
        Assert.Equal(1, inList);
    }

    private static async Task<int?> CountInListAsync(HttpClient gateway, string path, int movieId)
    {
        var page = await gateway.GetFromJsonAsync<JsonElement>(path);
        return page.GetProperty("items").EnumerateArray()
            .Where(m => m.GetProperty("id").GetInt32() == movieId)
            .Select(m => (int?)m.GetProperty("stats").GetProperty("count").GetInt32())
            .SingleOrDefault();
    }
}
