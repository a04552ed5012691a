using System.Net;
using System.Text.Json;
using Matcha.Catalog.Rankings;
using Npgsql;

namespace Matcha.Tests.Catalog;

/// <summary>Top rated, most wished and trending: Redis sorted sets kept by Catalog's statistics projection.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public class RankingsTests(MatchaAppFixture fixture)
{
    private static readonly string[] Kinds = ["top-rated", "most-wished", "trending"];
    private static readonly int MinimumRatings = new RankingsOptions().TopRatedMinimumRatings;
    private static readonly int TrendingDays = new RankingsOptions().TrendingDays;

    [Fact]
    public async Task RatingsAndWishesThroughTheGatewayMoveFilmsInTheRankings()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (loved, liked) = (await fixture.AddFilmAsync(), await fixture.AddFilmAsync());
        var fans = new List<Fan>();
        for (var i = 0; i < MinimumRatings; i++)
        {
            fans.Add(await gateway.NewFanAsync());
        }
        foreach (var kind in Kinds)
        {
            Assert.DoesNotContain(await gateway.RankingAsync(kind), r => r.Id == loved || r.Id == liked);
        }

        // Enough fans give one film five stars and the other four: the first tops the ranking.
        foreach (var fan in fans)
        {
            Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, loved, 5.0));
            Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, liked, 4.0));
        }
        var topRated = await EventsDriver.EventuallyAsync(() => gateway.RankingAsync("top-rated"), r => r.Any(f => f.Id == liked));
        Assert.Equal((loved, 1), topRated[0]);
        Assert.True(Place(topRated, loved) < Place(topRated, liked));
        Assert.Equal(Enumerable.Range(1, topRated.Count), topRated.Select(r => r.Rank));
        await AssertRankingsAsPostgresSaysAsync(gateway);

        // Most of them change their minds about the first (its average falls to 1.8): the second overtakes it.
        foreach (var fan in fans.Skip(1))
        {
            Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, loved, 1.0));
        }
        topRated = await EventsDriver.EventuallyAsync(() => gateway.RankingAsync("top-rated"), r => Place(r, liked) < Place(r, loved));
        Assert.True(Place(topRated, liked) < Place(topRated, loved));

        // Wishes put the first among the most wished; all this activity makes both trend.
        foreach (var fan in fans.Take(3))
        {
            Assert.Equal(HttpStatusCode.NoContent, await gateway.WishAsync(fan, loved));
        }
        var mostWished = await EventsDriver.EventuallyAsync(() => gateway.RankingAsync("most-wished"), r => r.Any(f => f.Id == loved));
        Assert.Contains(mostWished, r => r.Id == loved);
        Assert.DoesNotContain(mostWished, r => r.Id == liked);
        var trending = await gateway.RankingAsync("trending");
        Assert.True(Place(trending, loved) < Place(trending, liked));   // 5 + 4 + 3 events against 5
        await AssertRankingsAsPostgresSaysAsync(gateway);
    }

    /// <summary>A film's rank in a ranking; past the end when it is not in it.</summary>
    private static int Place(List<(int Id, int Rank)> ranking, int movieId) =>
        ranking.FirstOrDefault(r => r.Id == movieId) is { Rank: > 0 } found ? found.Rank : int.MaxValue;

    [Fact]
    public async Task RankingsLostWithRedisAreRebuiltAsPostgresSaysThem()
    {
        using var gateway = fixture.CreateGatewayClient();
        var movieId = await fixture.AddFilmAsync();
        var fan = await gateway.NewFanAsync();
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, movieId, 4.5));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.WishAsync(fan, movieId, "watching"));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.WishAsync(await gateway.NewFanAsync(), movieId));
        await EventsDriver.EventuallyAsync(() => gateway.RankingAsync("most-wished"), r => r.Any(f => f.Id == movieId));
        var before = await AssertRankingsAsPostgresSaysAsync(gateway);
        Assert.Contains(before["trending"], id => id == movieId);

        await fixture.RestartRedisEmptyAsync();

        // Rebuilt in Redis (not merely answered from Postgres while Redis was away) ...
        using var redis = await fixture.RedisAsync();
        var rebuilt = await EventsDriver.EventuallyAsync(
            () => redis.GetDatabase().KeyExistsAsync(["matcha:{rankings}:most-wished", "matcha:{rankings}:trending"]), n => n == 2);
        Assert.Equal(2, rebuilt);
        // ... and equal to what catalogdb says, which nothing has changed since.
        var after = await AssertRankingsAsPostgresSaysAsync(gateway);
        foreach (var kind in Kinds)
        {
            Assert.Equal(before[kind], after[kind]);
        }
    }

    [Theory]
    [InlineData("best", null, "kind")]
    [InlineData("top-rated", "0", "limit")]
    [InlineData("most-wished", "101", "limit")]
    [InlineData("trending", "ten", "limit")]
    public async Task AnUnknownKindOrALimitOutsideOneToAHundredIsA400NamingIt(string kind, string? limit, string field)
    {
        using var gateway = fixture.CreateGatewayClient();
        using var response = await gateway.GetAsync($"/api/catalog/rankings/{kind}{(limit is null ? "" : $"?limit={limit}")}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task ARankingHasTwentyFilmsUnlessToldOtherwise()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (expected, items) = await EventsDriver.EventuallyAsync(async () =>
        {
            using var response = await gateway.GetAsync("/api/catalog/rankings/trending");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var items = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("items");
            return (Math.Min(20, (await OracleAsync("trending")).Count), items);
        }, pair => pair.Item1 == pair.items.GetArrayLength());
        Assert.Equal(expected, items.GetArrayLength());
        if (expected > 0)
        {
            // A browse list's card, plus its rank.
            var first = items[0];
            Assert.Equal(1, first.GetProperty("rank").GetInt32());
            foreach (var property in new[] { "id", "titles", "originalTitle", "released", "genres", "stats", "popularity" })
            {
                Assert.True(first.TryGetProperty(property, out _), $"missing {property}: {first}");
            }
        }
    }

    /// <summary>Waits until every ranking equals the one computed here from catalogdb, then asserts it.</summary>
    private async Task<Dictionary<string, List<int>>> AssertRankingsAsPostgresSaysAsync(HttpClient gateway)
    {
        var shown = new Dictionary<string, List<int>>();
        foreach (var kind in Kinds)
        {
            var (expected, ranking) = await EventsDriver.EventuallyAsync(
                async () => (await OracleAsync(kind), (await gateway.RankingAsync(kind)).Select(r => r.Id).ToList()),
                pair => pair.Item1.SequenceEqual(pair.Item2));
            Assert.Equal(expected, ranking);
            shown[kind] = ranking;
        }
        return shown;
    }

    /// <summary>The first hundred of a ranking by its documented rule, straight from catalogdb; ties go to the newer film.</summary>
    private async Task<List<int>> OracleAsync(string kind)
    {
        var sql = kind switch
        {
            "top-rated" => "SELECT id FROM movies WHERE rating_count >= @min ORDER BY average_rating DESC, id DESC LIMIT 100",
            "most-wished" => "SELECT id FROM movies WHERE wish_count > 0 ORDER BY wish_count DESC, id DESC LIMIT 100",
            _ => """
                SELECT m.id FROM movies m JOIN movie_activity a ON a.movie_id = m.id
                WHERE a.day > (now() AT TIME ZONE 'utc')::date - @days
                GROUP BY m.id ORDER BY sum(a.count) DESC, m.id DESC LIMIT 100
                """,
        };
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("catalogdb"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("min", MinimumRatings);
        command.Parameters.AddWithValue("days", TrendingDays);
        var ids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt32(0));
        }
        return ids;
    }
}
