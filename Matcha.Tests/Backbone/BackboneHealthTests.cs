using Npgsql;

namespace Matcha.Tests.Backbone;

/// <summary>
/// A relay or a consumer that stops moving while events wait for it shows as Degraded on its
/// service's /health (after Events:LagDegradedAfter, 10 s), and Healthy again once it moves.
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public class BackboneHealthTests(MatchaAppFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task ARelayThatCannotPublishWhileEventsWaitIsDegradedUntilItMovesAgain()
    {
        using var catalog = fixture.App.CreateHttpClient("catalog", "http");
        using var redis = await fixture.RedisAsync();
        // From a healthy start (a fresh AppHost may still be catching up on its first events).
        Assert.Equal("Healthy", await EventsDriver.EventuallyAsync(() => HealthAsync(catalog), s => s == "Healthy", Patience));

        // Redis refuses every XADD for a while (an ACL takes the command from its user): Catalog's
        // relay cannot publish the new film's event, and Redis itself stays up and answers. (Not
        // CLIENT PAUSE WRITE: a paused XADD holds up every later command on its connection, the
        // Redis health check's included, so /health said Unhealthy for Redis now and then, and a
        // test of the relay's own verdict would depend on which check finished last.)
        // Every node: on a Redis Cluster the stream lives on one of three.
        await Task.WhenAll(redis.GetServers().Select(server => server.ExecuteAsync("ACL", "SETUSER", "default", "-xadd")));
        int film;
        try
        {
            film = await fixture.WriteFilmAsync();
            Assert.Equal("Degraded", await EventsDriver.EventuallyAsync(() => HealthAsync(catalog), s => s == "Degraded", Patience));
            // What the dashboard plots: the relay's lag, exported as a metric.
            Assert.True(await EventsDriver.EventuallyAsync(
                () => Task.FromResult(fixture.Traces.MetricsExportContains("matcha.events.lag", "outbox-relay")), seen => seen, Patience),
                "no export of matcha.events.lag for the outbox relay");
        }
        finally
        {
            await Task.WhenAll(redis.GetServers().Select(server => server.ExecuteAsync("ACL", "SETUSER", "default", "+xadd")));
        }

        Assert.Equal("Healthy", await EventsDriver.EventuallyAsync(() => HealthAsync(catalog), s => s == "Healthy", Patience));
        await fixture.WaitForRatingsCopyAsync(film);
    }

    [Fact]
    public async Task AConsumerStuckOnAnEventIsDegradedUntilItMovesAgain()
    {
        using var ratings = fixture.App.CreateHttpClient("ratings", "http");
        // From a healthy start (a fresh AppHost may still be catching up on its first events).
        Assert.Equal("Healthy", await EventsDriver.EventuallyAsync(() => HealthAsync(ratings), s => s == "Healthy", Patience));
        var film = EventsDriver.FreshMovieId();

        // Another transaction holds the film's version row: Ratings' consumer waits on it.
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("ratingsdb"));
        await connection.OpenAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using (var hold = new NpgsqlCommand(
                "INSERT INTO inbox_aggregate_versions (subscription, aggregate_id, version) VALUES ('ratings-movies', @p0, 0)", connection, transaction))
            {
                hold.Parameters.AddWithValue("p0", $"movie/{film}");
                await hold.ExecuteNonQueryAsync();
            }
            await fixture.WriteFilmAsync(id: film);
            Assert.Equal("Degraded", await EventsDriver.EventuallyAsync(() => HealthAsync(ratings), s => s == "Degraded", Patience));
            Assert.True(await EventsDriver.EventuallyAsync(
                () => Task.FromResult(fixture.Traces.MetricsExportContains("matcha.events.waiting", "ratings-movies")), seen => seen, Patience),
                "no export of matcha.events.waiting for the ratings-movies subscription");
            await transaction.RollbackAsync();
        }

        Assert.Equal("Healthy", await EventsDriver.EventuallyAsync(() => HealthAsync(ratings), s => s == "Healthy", Patience));
        await fixture.WaitForRatingsCopyAsync(film);
    }

    private static async Task<string> HealthAsync(HttpClient service)
    {
        using var response = await service.GetAsync("/health");
        return await response.Content.ReadAsStringAsync();
    }
}
