using Matcha.Catalog.Data;
using Matcha.EventBus;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Matcha.Tests.Backbone;

/// <summary>
/// The relay's pruning of published rows, on an outbox of the test's own (a fresh database, migrated as Catalog
/// migrates its own): it walks the key, since the outbox has no index of the publication time.
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class OutboxPruneTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task PruningDeletesRowsPublishedBeforeTheRetentionUpToTheFirstRowStillKept()
    {
        await using var dataSource = NpgsqlDataSource.Create(await OutboxDatabaseAsync());
        using var redis = await fixture.RedisAsync();
        var relay = new OutboxRelay(dataSource, redis, new OutboxWake(),
            Options.Create(new EventBusOptions { OutboxRetention = TimeSpan.FromDays(1) }), NullLogger<OutboxRelay>.Instance);

        var old = TimeSpan.FromDays(2);
        long[] ids = [await AddAsync(dataSource, old), await AddAsync(dataSource, old), await AddAsync(dataSource, TimeSpan.FromHours(1)),
            await AddAsync(dataSource, old), await AddAsync(dataSource, published: null)];
        await relay.PruneAsync(CancellationToken.None);

        // The two oldest go; a row published an hour ago is kept, and so is what comes after it, unsent or not.
        Assert.Equal(ids[2..], await IdsAsync(dataSource));

        await using (var mark = dataSource.CreateCommand("UPDATE outbox_messages SET published_at = now() - interval '2 days'"))
        {
            await mark.ExecuteNonQueryAsync();
        }
        await relay.PruneAsync(CancellationToken.None);

        // Once every row is published before the retention, none is kept.
        Assert.Empty(await IdsAsync(dataSource));
    }

    private async Task<string> OutboxDatabaseAsync()
    {
        var connectionString = await fixture.NewDatabaseAsync("outbox_prune_test");
        await using var db = new CatalogDbContext(
            new DbContextOptionsBuilder<CatalogDbContext>().UseNpgsql(connectionString).UseSnakeCaseNamingConvention().Options);
        await db.Database.MigrateAsync();
        return connectionString;
    }

    /// <summary>A row published <paramref name="published"/> ago, or unsent when null; its id.</summary>
    private static async Task<long> AddAsync(NpgsqlDataSource dataSource, TimeSpan? published)
    {
        await using var insert = dataSource.CreateCommand("""
            INSERT INTO outbox_messages (event_id, topic, type, schema_version, aggregate_id, aggregate_version, occurred_at, payload, published_at)
            VALUES (gen_random_uuid(), 'prune-test', 'PruneProbe', 1, 'probe', 1, now(), '{}'::jsonb, now() - $1::interval)
            RETURNING id
            """);
        insert.Parameters.Add(new NpgsqlParameter { Value = published is { } ago ? ago : DBNull.Value });
        return (long)(await insert.ExecuteScalarAsync())!;
    }

    private static async Task<long[]> IdsAsync(NpgsqlDataSource dataSource)
    {
        await using var read = dataSource.CreateCommand("SELECT id FROM outbox_messages ORDER BY id");
        await using var reader = await read.ExecuteReaderAsync();
        var ids = new List<long>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }
        return [.. ids];
    }
}
