using System.Text.Json;
using Matcha.EventBus;
using Matcha.Tests.Catalog;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Matcha.Tests.Backbone;

// The event tests again, with every service's outbox relayed by change data capture
// (docs/events.md, "Change data capture"): the same assertions must hold with each relay.

[Collection(MatchaCdcAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "AppHostVariant")]
public sealed class CdcCrashTests(MatchaCdcAppFixture fixture) : CrashTests(fixture);

[Collection(MatchaCdcAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "AppHostVariant")]
public sealed class CdcNothingLostTests(MatchaCdcAppFixture fixture, ITestOutputHelper output) : NothingLostTests(fixture, output);

[Collection(MatchaCdcAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "AppHostVariant")]
public sealed class CdcBackboneRecoveryTests(MatchaCdcAppFixture fixture) : BackboneRecoveryTests(fixture);

[Collection(MatchaCdcAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "AppHostVariant")]
public sealed class CdcBackboneHealthTests(MatchaCdcAppFixture fixture) : BackboneHealthTests(fixture);

[Collection(MatchaCdcAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "AppHostVariant")]
public sealed class CdcOutboxTransactionTests(MatchaCdcAppFixture fixture) : OutboxTransactionTests(fixture);

[Collection(MatchaCdcAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "AppHostVariant")]
public sealed class CdcEventTracingTests(MatchaCdcAppFixture fixture) : EventTracingTests(fixture);

/// <summary>Two table relays claim rows beside Ratings' change-data-capture relay: still each row once, each aggregate in order.</summary>
[Collection(MatchaCdcAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "AppHostVariant")]
public sealed class CdcOutboxRelayReplicaTests(MatchaCdcAppFixture fixture) : OutboxRelayReplicaTests(fixture);

[Collection(MatchaCdcAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "AppHostVariant")]
public sealed class CdcCatalogStatisticsTests(MatchaCdcAppFixture fixture) : CatalogStatisticsTests(fixture);

/// <summary>What only the change-data-capture relay has: a replication slot that one relay streams from at a time, and that can be lost.</summary>
[Collection(MatchaCdcAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "AppHostVariant")]
public sealed class CdcRelayTests(MatchaCdcAppFixture fixture)
{
    private const string Slot = "matcha_outbox_ratingsdb";

    [Fact]
    public async Task ReplicasWaitForTheSlotAndTakeOverWhenItsRelayIsKilledPublishingEveryRowOnceInOrder()
    {
        var connectionString = await fixture.ConnectionStringAsync("ratingsdb");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        using var redis = await fixture.RedisAsync();
        // From a Redis that has not lost its data since Ratings' relay last marked it: after a loss
        // (tests in this collection restart Redis empty) every relay, these replicas too, publishes
        // again every row the outbox keeps, this test's rows included, by design (docs/events.md).
        Assert.True(await EventsDriver.EventuallyAsync(
            () => redis.GetDatabase().KeyExistsAsync("matcha:events:outbox-marker:ratingsdb"), marked => marked));
        var topic = $"cdc-test-{Guid.NewGuid():N}";
        var options = Options.Create(new EventBusOptions());
        var log = new RecordingLogger<CdcRelay>();
        var replicas = Enumerable.Range(0, 2).Select(_ => new CdcRelay(new OutboxReplication(connectionString), dataSource,
            new OutboxRelay(dataSource, redis, new OutboxWake(), options, NullLogger<OutboxRelay>.Instance), options, log)).ToList();
        foreach (var replica in replicas)
        {
            await replica.StartAsync(CancellationToken.None);
        }
        try
        {
            // Ratings' own relay holds the slot; the replicas wait for it.
            await InsertAsync(dataSource, topic, "before", versions: 10);
            await EventsDriver.EventuallyAsync(() => StreamAsync(redis, topic), e => e.Count >= 40);

            await fixture.KillAsync("ratings");
            try
            {
                // Ratings is gone: one of the replicas takes the slot and streams what follows.
                await InsertAsync(dataSource, topic, "after", versions: 10);
                await EventsDriver.EventuallyAsync(() => StreamAsync(redis, topic), e => e.Count >= 80);
            }
            finally
            {
                await fixture.StartAgainAsync("ratings");
            }
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.StopAsync(CancellationToken.None);
            }
        }

        var envelopes = await StreamAsync(redis, topic);
        Assert.True(envelopes.Count == 80, $"{envelopes.Count} of 80 published: "
            + string.Join("; ", envelopes.GroupBy(e => e.GetProperty("aggregateId").GetString()).Select(a => $"{a.Key}: {string.Join(",", a.Select(e => e.GetProperty("aggregateVersion").GetInt64()))}"))
            + $"; relays said: {string.Join(" | ", log.Lines)}");
        Assert.Equal(envelopes.Count, envelopes.Select(e => e.GetProperty("eventId").GetGuid()).Distinct().Count());
        foreach (var aggregate in envelopes.GroupBy(e => e.GetProperty("aggregateId").GetString()))
        {
            Assert.True(Enumerable.Range(1, 10).Select(v => (long)v).SequenceEqual(aggregate.Select(e => e.GetProperty("aggregateVersion").GetInt64())),
                $"{aggregate.Key}: {string.Join(", ", aggregate.Select(e => e.GetProperty("aggregateVersion").GetInt64()))}; relays said: {string.Join(" | ", log.Lines)}");
        }
    }

    /// <summary>
    /// Postgres flushes a commit record, which the slot may stream at once, a moment before the
    /// transaction is visible to other sessions. A row streamed in that moment is not in the
    /// relay's snapshot: it must be waited for and published, never taken for one already sent.
    /// Here the moment is stretched: the row's transaction commits only after the relay has it.
    /// The row is in an outbox table of the test's own (a schema of its own in Ratings' database),
    /// so Ratings' running relay, which would publish it too, cannot hide what this one does.
    /// </summary>
    [Fact]
    public async Task ARowStreamedBeforeItsTransactionIsVisibleIsPublishedAndMarkedNotSkipped()
    {
        var connectionString = await fixture.ConnectionStringAsync("ratingsdb");
        var schema = $"cdc_visible_{Guid.NewGuid():N}";
        await using (var ratings = NpgsqlDataSource.Create(connectionString))
        {
            await ExecuteAsync(ratings, $"CREATE SCHEMA {schema}; CREATE TABLE {schema}.outbox_messages (LIKE public.outbox_messages INCLUDING ALL)");
        }
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema }.ConnectionString);
        using var redis = await fixture.RedisAsync();
        var topic = $"cdc-visible-{Guid.NewGuid():N}";
        var options = Options.Create(new EventBusOptions());
        var relay = new CdcRelay(new OutboxReplication(connectionString), dataSource,
            new OutboxRelay(dataSource, redis, new OutboxWake(), options, NullLogger<OutboxRelay>.Instance), options, NullLogger<CdcRelay>.Instance);
        var envelope = new EventEnvelope("RelayProbe", 1, Guid.NewGuid(), "visible/1", 1, DateTimeOffset.UtcNow, null, null, JsonDocument.Parse("{}").RootElement);

        // Warm: a connection each for the writer and the relay, and the relay's code run once, so
        // the relay surely reads the outbox before the writer commits.
        await using (var first = await dataSource.OpenConnectionAsync())
        await using (var second = await dataSource.OpenConnectionAsync())
        {
        }
        await relay.PublishRowsAsync([], CancellationToken.None);

        await using var writer = await dataSource.OpenConnectionAsync();
        await using var transaction = await writer.BeginTransactionAsync();
        await using var insert = new NpgsqlCommand("""
            INSERT INTO outbox_messages (event_id, topic, type, schema_version, aggregate_id, aggregate_version, occurred_at, payload)
            VALUES (@eventId, @topic, 'RelayProbe', 1, 'visible/1', 1, now(), '{}'::jsonb) RETURNING id
            """, writer, transaction);
        insert.Parameters.AddWithValue("eventId", envelope.EventId);
        insert.Parameters.AddWithValue("topic", topic);
        var id = (long)(await insert.ExecuteScalarAsync())!;

        var publishing = relay.PublishRowsAsync([new OutboxRow(id, topic, envelope)], CancellationToken.None);
        await Task.Delay(500);
        await transaction.CommitAsync();
        await publishing;

        var published = await StreamAsync(redis, topic);
        Assert.Equal(envelope.EventId, Assert.Single(published).GetProperty("eventId").GetGuid());
        await using var marked = dataSource.CreateCommand("SELECT published_at IS NOT NULL FROM outbox_messages WHERE id = @id");
        marked.Parameters.AddWithValue("id", id);
        Assert.True((bool)(await marked.ExecuteScalarAsync())!);
        await ExecuteAsync(dataSource, $"DROP SCHEMA {schema} CASCADE");
    }

    [Fact]
    public async Task ASlotLostWhileItsRelayIsDownIsReportedThenRecreatedAndTheTablesUnsentRowsArePublished()
    {
        var connectionString = await fixture.ConnectionStringAsync("ratingsdb");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        using var redis = await fixture.RedisAsync();
        var topic = $"cdc-lost-{Guid.NewGuid():N}";
        var check = new ReplicationSlotHealthCheck(new OutboxReplication(connectionString), dataSource,
            Options.Create(new EventBusOptions { SlotDegradedBytes = 1024, SlotUnhealthyBytes = 1L << 40 }));
        // Ratings' relay streams from its slot (a fresh AppHost may not have made it yet).
        Assert.True(await EventsDriver.EventuallyAsync(
            () => fixture.QueryAsync<bool>("ratingsdb", "SELECT coalesce(bool_or(active), false) FROM pg_replication_slots WHERE slot_name = @p0", Slot), active => active));

        await fixture.KillAsync("ratings");
        try
        {
            // Events committed while the relay is down: the slot holds their WAL, and more, back.
            await InsertAsync(dataSource, topic, "waiting", versions: 3);
            await GenerateWalAsync(dataSource, segments: 1);
            var retaining = await check.CheckHealthAsync(new HealthCheckContext());
            Assert.Equal(HealthStatus.Degraded, retaining.Status);
            Assert.True((long)retaining.Data["retainedBytes"] > 1024, retaining.Description);

            // The slot is lost, as when Postgres invalidates it past max_slot_wal_keep_size and an
            // operator drops it (the AppHost sets that limit on Postgres's command line, so a test
            // cannot lower it to reach it): the events are then only in the outbox table.
            await ExecuteAsync(dataSource, $"SELECT pg_drop_replication_slot('{Slot}')");
        }
        finally
        {
            await fixture.StartAgainAsync("ratings");
        }

        // The restarted relay makes a new slot and publishes the rows it missed from the table.
        var envelopes = await EventsDriver.EventuallyAsync(() => StreamAsync(redis, topic), e => e.Count >= 12);
        Assert.Equal(12, envelopes.Count);
        Assert.True(await EventsDriver.EventuallyAsync(
            () => fixture.QueryAsync<bool>("ratingsdb", "SELECT coalesce(bool_or(active), false) FROM pg_replication_slots WHERE slot_name = @p0", Slot), active => active));
        Assert.Equal(HealthStatus.Healthy, (await new ReplicationSlotHealthCheck(new OutboxReplication(connectionString), dataSource,
            Options.Create(new EventBusOptions())).CheckHealthAsync(new HealthCheckContext())).Status);
    }

    /// <summary>Four aggregates, each with <paramref name="versions"/> versions, in one transaction each version.</summary>
    private static async Task InsertAsync(NpgsqlDataSource dataSource, string topic, string prefix, int versions)
    {
        for (var version = 1; version <= versions; version++)
        {
            await using var insert = dataSource.CreateCommand("""
                INSERT INTO outbox_messages (event_id, topic, type, schema_version, aggregate_id, aggregate_version, occurred_at, payload)
                SELECT gen_random_uuid(), @topic, 'RelayProbe', 1, @prefix || '/' || a, @version, now(), '{}'::jsonb
                FROM generate_series(1, 4) a
                """);
            insert.Parameters.AddWithValue("topic", topic);
            insert.Parameters.AddWithValue("prefix", prefix);
            insert.Parameters.AddWithValue("version", (long)version);
            await insert.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Writes WAL and switches to a new segment, <paramref name="segments"/> times.</summary>
    private static async Task GenerateWalAsync(NpgsqlDataSource dataSource, int segments)
    {
        for (var i = 0; i < segments; i++)
        {
            await ExecuteAsync(dataSource, "SELECT pg_logical_emit_message(false, 'cdc-test', repeat('x', 100000))");
            await ExecuteAsync(dataSource, "SELECT pg_switch_wal()");
        }
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<JsonElement>> StreamAsync(IConnectionMultiplexer redis, string topic)
    {
        var entries = await redis.GetDatabase().StreamRangeAsync($"matcha:events:{topic}");
        return [.. entries.Select(e => JsonDocument.Parse(e["envelope"].ToString()).RootElement)];
    }

    /// <summary>What the test's relays log, for the failure message.</summary>
    private sealed class RecordingLogger<T> : Microsoft.Extensions.Logging.ILogger<T>
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            if (!message.Contains("held by another", StringComparison.Ordinal))
            {
                Lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {message} {exception?.GetType().Name} {exception?.Message}");
            }
        }
    }
}
