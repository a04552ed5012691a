using System.Diagnostics;
using System.Net;
using Npgsql;

namespace Matcha.Tests.Backbone;

/// <summary>
/// After Redis comes back empty, every relay publishes again every event it still keeps (a day
/// of them), and every consumer receives them again. With a day of real traffic behind it, that
/// must cost seconds, not hold new events back for minutes: a new event in each direction still
/// arrives within a few seconds.
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public class BackboneRecoveryTests(MatchaAppFixture fixture)
{
    private static readonly TimeSpan AFewSeconds = TimeSpan.FromSeconds(10);

    /// <summary>Published and consumed events per topic that the outboxes keep, as after a busy day.</summary>
    private const int History = 10_000;

    [Fact]
    public async Task EventsFlowEveryWaySecondsAfterRedisComesBackEmptyBehindADayOfEvents()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        var leaver = await gateway.NewFanAsync();
        var film = await fixture.AddFilmAsync();
        var history = await EventHistory.WriteAsync(fixture, History);
        try
        {
            // The outage as the suite met it: Redis stopped and started by the AppHost's commands,
            // Ratings killed while it was away, Catalog restarted after it was back.
            await fixture.App.ResourceCommands.ExecuteCommandAsync("redis", KnownResourceCommands.StopCommand);
            await fixture.KillAsync("ratings");
            await fixture.StartAgainAsync("redis");   // waits out the old process and a start that lost the race for its port
            await fixture.StartAgainAsync("ratings");
            await fixture.RestartAsync("catalog");

            // Catalog → Ratings.
            var clock = Stopwatch.StartNew();
            await fixture.AddFilmAsync(within: AFewSeconds);
            Assert.True(clock.Elapsed < AFewSeconds, $"Catalog → Ratings took {clock.Elapsed}");

            // Ratings → Catalog.
            clock.Restart();
            Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, film, 4.5));
            var stats = await EventsDriver.EventuallyAsync(() => gateway.StatsAsync(film), s => s.Count == 1, AFewSeconds);
            Assert.Equal(1, stats.Count);

            // Accounts → Ratings and Catalog, and their replies back: a deletion runs to its end.
            clock.Restart();
            var statusUrl = await gateway.StartDeletionAsync(leaver);
            var state = await EventsDriver.EventuallyAsync(() => gateway.DeletionStateAsync(statusUrl), s => s == "completed", 2 * AFewSeconds);
            Assert.True(state == "completed", $"the deletion was still {state} after {clock.Elapsed}");
        }
        finally
        {
            await history.DisposeAsync();
        }
    }

    /// <summary>
    /// A day of events every producer has published and every subscription has applied: rows in
    /// each outbox, marked published, and the same event ids in each consumer's inbox. Removed
    /// again afterwards, so no other test inherits them.
    /// </summary>
    private sealed class EventHistory(MatchaAppFixture fixture, string marker) : IAsyncDisposable
    {
        private static readonly (string Producer, string Topic, (string Consumer, string Subscription)[] Consumers)[] Topics =
        [
            ("catalogdb", "catalog", [("ratingsdb", "ratings-movies")]),
            ("ratingsdb", "ratings", [("catalogdb", "catalog-stats")]),
            ("accountsdb", "account-deletions", [("ratingsdb", "ratings-erasure"), ("catalogdb", "catalog-erasure")]),
            ("catalogdb", "account-deletion-replies", [("accountsdb", "accounts-deletions")]),
        ];

        public static async Task<EventHistory> WriteAsync(MatchaAppFixture fixture, int perTopic)
        {
            var marker = $"history-{Guid.NewGuid():N}";
            foreach (var (producer, topic, consumers) in Topics)
            {
                // A few events per aggregate, as real aggregates change more than once.
                await ExecuteAsync(fixture, producer, """
                    INSERT INTO outbox_messages (event_id, topic, type, schema_version, aggregate_id, aggregate_version, occurred_at, payload, published_at)
                    SELECT md5(@marker || @topic || n)::uuid, @topic, 'HistoryEvent', 1, @marker || '/' || (n % (@count / 4)), n, now() - interval '1 hour', '{}', now() - interval '1 hour'
                    FROM generate_series(1, @count) AS n
                    """, marker, topic, perTopic);
                foreach (var (consumer, subscription) in consumers)
                {
                    await ExecuteAsync(fixture, consumer, """
                        INSERT INTO inbox_messages (subscription, event_id, type, aggregate_id, aggregate_version, processed_at)
                        SELECT @subscription, md5(@marker || @topic || n)::uuid, 'HistoryEvent', @marker || '/' || (n % (@count / 4)), n, now() - interval '1 hour'
                        FROM generate_series(1, @count) AS n
                        """, marker, topic, perTopic, subscription);
                }
            }
            return new EventHistory(fixture, marker);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var database in Topics.Select(t => t.Producer).Distinct())
            {
                await ExecuteAsync(fixture, database, "DELETE FROM outbox_messages WHERE aggregate_id LIKE @marker || '/%'", marker);
            }
            foreach (var database in Topics.SelectMany(t => t.Consumers).Select(c => c.Consumer).Distinct())
            {
                await ExecuteAsync(fixture, database, "DELETE FROM inbox_messages WHERE aggregate_id LIKE @marker || '/%'", marker);
            }
        }

        private static async Task ExecuteAsync(MatchaAppFixture fixture, string database, string sql, string marker, string? topic = null, int count = 0, string? subscription = null)
        {
            await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync(database));
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("marker", marker);
            command.Parameters.AddWithValue("topic", topic ?? "");
            command.Parameters.AddWithValue("count", count);
            command.Parameters.AddWithValue("subscription", subscription ?? "");
            await command.ExecuteNonQueryAsync();
        }
    }
}
