using System.Text.Json;
using Matcha.EventBus;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Matcha.Tests.Backbone;

[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public class OutboxRelayReplicaTests(MatchaAppFixture fixture)
{
    private const int Aggregates = 40;
    private const int VersionsEach = 30;

    [Fact]
    public async Task RelayReplicasPublishEveryRowOnceAndEachAggregateInOrder()
    {
        // Two more relays next to the one inside Ratings, all on ratingsdb's outbox, with small
        // batches so that they keep meeting on the same rows.
        var topic = $"relay-test-{Guid.NewGuid():N}";
        await using var dataSource = NpgsqlDataSource.Create(await fixture.ConnectionStringAsync("ratingsdb"));
        using var redis = await fixture.RedisAsync();
        var options = Options.Create(new EventBusOptions { RelayBatchSize = 7 });
        var replicas = Enumerable.Range(0, 2)
            .Select(_ => new OutboxRelay(dataSource, redis, new OutboxWake(), options, NullLogger<OutboxRelay>.Instance))
            .ToList();

        // Versions are inserted in order per aggregate, interleaved across aggregates, as concurrent users would.
        await using (var insert = dataSource.CreateCommand("""
            INSERT INTO outbox_messages (event_id, topic, type, schema_version, aggregate_id, aggregate_version, occurred_at, payload)
            SELECT gen_random_uuid(), @topic, 'RelayProbe', 1, 'probe/' || a, v, now(), '{}'::jsonb
            FROM generate_series(1, @versions) v, generate_series(1, @aggregates) a
            ORDER BY v, a
            """))
        {
            insert.Parameters.AddWithValue("topic", topic);
            insert.Parameters.AddWithValue("versions", VersionsEach);
            insert.Parameters.AddWithValue("aggregates", Aggregates);
            await insert.ExecuteNonQueryAsync();
        }

        using var timeout = new CancellationTokenSource(EventsDriver.Patience);
        await Task.WhenAll(replicas.Select(relay => Task.Run(async () =>
        {
            while (await UnsentAsync(dataSource, topic) > 0)
            {
                await relay.PublishBatchAsync(timeout.Token);
            }
        })));

        var entries = await redis.GetDatabase().StreamRangeAsync($"matcha:events:{topic}");
        var envelopes = entries.Select(e => JsonDocument.Parse(e["envelope"].ToString()).RootElement).ToList();
        Assert.Equal(Aggregates * VersionsEach, envelopes.Count);
        Assert.Equal(envelopes.Count, envelopes.Select(e => e.GetProperty("eventId").GetGuid()).Distinct().Count());
        foreach (var aggregate in envelopes.GroupBy(e => e.GetProperty("aggregateId").GetString()))
        {
            Assert.Equal(Enumerable.Range(1, VersionsEach).Select(v => (long)v), aggregate.Select(e => e.GetProperty("aggregateVersion").GetInt64()));
        }
    }

    private static async Task<long> UnsentAsync(NpgsqlDataSource dataSource, string topic)
    {
        await using var count = dataSource.CreateCommand("SELECT count(*) FROM outbox_messages WHERE topic = @topic AND published_at IS NULL");
        count.Parameters.AddWithValue("topic", topic);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
