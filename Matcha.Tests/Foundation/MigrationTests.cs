using Matcha.Catalog.Data;
using Matcha.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Matcha.Tests.Foundation;

/// <summary>Start-up migrations, against the fixture's real Postgres, each test in a database of its own.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class MigrationTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task TwoReplicasStartingAtOnceApplyEachMigrationOnce()
    {
        var connectionString = await fixture.NewDatabaseAsync("migration_test");

        // Two service hosts starting together, as two replicas would.
        using var first = CatalogHost(connectionString, out _);
        using var second = CatalogHost(connectionString, out _);
        await Task.WhenAll(first.StartAsync(), second.StartAsync());

        await using var db = Context(connectionString);
        var applied = await db.Database.GetAppliedMigrationsAsync();
        Assert.Equal(db.Database.GetMigrations(), applied);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(0, await db.Movies.CountAsync());   // the schema is there and usable

        await Task.WhenAll(first.StopAsync(), second.StopAsync());
    }

    /// <summary>
    /// A service's first start on an empty database is routine: its log says which migrations it
    /// applied and has no error in it (EF Core's Postgres provider used to find the missing history
    /// table by a failing select, logged as "Failed executing DbCommand").
    /// </summary>
    [Fact]
    public async Task AFirstStartOnAnEmptyDatabaseLogsNoError()
    {
        var connectionString = await fixture.NewDatabaseAsync("migration_test");

        using var host = CatalogHost(connectionString, out var logs);
        await host.StartAsync();
        await host.StopAsync();

        Assert.Empty(logs.GetSnapshot().Where(r => r.Level >= LogLevel.Error).Select(r => $"{r.Category}: {r.Message}"));
        await using var db = Context(connectionString);
        Assert.Contains(logs.GetSnapshot(), r => r.Message.Contains($"applied {db.Database.GetMigrations().Count()} migration(s)", StringComparison.Ordinal));
    }

    /// <summary>
    /// What `\d+ outbox_messages` shows as each column's statistics target: a small sample for the columns the relay
    /// and the pruning read by, none for what the outbox only carries, whose description sorted 30,000 payloads and
    /// trace ids at every autovacuum analyze (docs/performance.md, "The outbox's analyze").
    /// </summary>
    [Theory]
    [InlineData("accountsdb")]
    [InlineData("catalogdb")]
    [InlineData("ratingsdb")]
    [InlineData("socialdb")]
    public async Task EveryOutboxIsAnalyzedOnlyForTheColumnsItIsReadBy(string database)
    {
        var targets = await fixture.QueryAsync<string>(database, """
            SELECT string_agg(attname || '=' || attstattarget, ' ' ORDER BY attname) FROM pg_attribute
            WHERE attrelid = 'outbox_messages'::regclass AND attnum > 0 AND NOT attisdropped
            """);

        Assert.Equal(
            "aggregate_id=10 aggregate_version=0 event_id=0 id=10 occurred_at=0 payload=0 published_at=10 schema_version=0 topic=10 trace_parent=0 trace_state=0 type=0",
            targets);
    }

    /// <summary>
    /// Every outbox row writes an entry in each of the outbox's indexes, so it keeps only those a statement reads by:
    /// the key (the pruning, the republishing, the mark) and the unsent rows in id order (the relay's claim). The
    /// index of each aggregate's unsent rows, which the claim no longer reads, is gone, and so are those of the event
    /// id and the publication time, which no statement reads by.
    /// </summary>
    [Theory]
    [InlineData("accountsdb")]
    [InlineData("catalogdb")]
    [InlineData("ratingsdb")]
    [InlineData("socialdb")]
    public async Task EveryOutboxKeepsOnlyTheIndexesItsStatementsReadBy(string database)
    {
        var indexes = await fixture.QueryAsync<string>(database,
            "SELECT string_agg(indexname, ' ' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'outbox_messages'");

        Assert.Equal("ix_outbox_messages_unsent pk_outbox_messages", indexes);
    }

    [Fact]
    public async Task AFailingMigrationStopsTheServiceWithAClearLog()
    {
        var connectionString = await fixture.NewDatabaseAsync("migration_test");
        // Something already holds the name the first migration needs.
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("CREATE TABLE movies (unexpected text)", connection);
            await command.ExecuteNonQueryAsync();
        }

        using var host = CatalogHost(connectionString, out var logs);

        await Assert.ThrowsAsync<PostgresException>(() => host.StartAsync());
        var failure = Assert.Single(logs.GetSnapshot(), r => r.Level == LogLevel.Critical);
        Assert.Contains("migrating CatalogDbContext failed", failure.Message, StringComparison.Ordinal);
        Assert.Contains(new NpgsqlConnectionStringBuilder(connectionString).Database!, failure.Message, StringComparison.Ordinal);
    }

    private static IHost CatalogHost(string connectionString, out FakeLogCollector logs)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:catalogdb", connectionString)]);
        builder.Logging.ClearProviders().AddFakeLogging();
        builder.AddServiceDatabase<CatalogDbContext>("catalogdb");
        var host = builder.Build();
        logs = host.Services.GetFakeLogCollector();
        return host;
    }

    private static CatalogDbContext Context(string connectionString) =>
        new(new DbContextOptionsBuilder<CatalogDbContext>().UseNpgsql(connectionString).UseSnakeCaseNamingConvention().Options);
}
