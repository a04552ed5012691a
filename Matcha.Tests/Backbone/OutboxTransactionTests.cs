using System.Data.Common;
using Matcha.Data;
using Matcha.EventBus;
using Matcha.Ratings.Data;
using Matcha.Ratings.Ratings;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;
using StackExchange.Redis;

namespace Matcha.Tests.Backbone;

[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public class OutboxTransactionTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task AChangeRolledBackLeavesNoEventAndOneCommittedIsPublished()
    {
        var options = new DbContextOptionsBuilder<RatingsDbContext>()
            .UseNpgsql(await fixture.ConnectionStringAsync("ratingsdb"))
            .UseSnakeCaseNamingConvention()
            .Options;
        var movieId = await fixture.AddFilmAsync();
        var rolledBack = await WriteRatingAsync(options, movieId, commit: false);
        var committed = await WriteRatingAsync(options, movieId, commit: true);

        using var redis = await fixture.RedisAsync();
        var published = await EventsDriver.EventuallyAsync(() => EventIdsOnStreamAsync(redis), ids => ids.Contains(committed));
        Assert.Contains(committed, published);
        Assert.DoesNotContain(rolledBack, published);
        Assert.Equal(0, await fixture.QueryAsync<long>("ratingsdb", "SELECT count(*) FROM outbox_messages WHERE event_id = @p0", rolledBack));
        Assert.Equal(0, await fixture.QueryAsync<long>("ratingsdb", "SELECT count(*) FROM ratings WHERE movie_id = @p0 AND score = 1.5", movieId));
        using var gateway = fixture.CreateGatewayClient();
        var stats = await EventsDriver.EventuallyAsync(() => gateway.StatsAsync(movieId), s => s.Count == 1);
        Assert.Equal(EventsDriver.Histogram(4.5), stats.Histogram);
    }

    [Fact]
    public async Task ARatingWriteIsTwoCommandsAndACommitWithNoSavepointLeaseAfterLease()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.ConnectionStringAsync("ratingsdb"));
        var statements = new StatementLog();
        // As the service builds its contexts: pooled, on its data source, so a second lease gets a context back from the pool.
        var options = new DbContextOptionsBuilder<RatingsDbContext>();
        options.UseServiceDatabase(dataSource).AddInterceptors(statements);
        var pool = new PooledDbContextFactory<RatingsDbContext>(options.Options);
        var movieId = await fixture.AddFilmAsync();
        var userId = Guid.NewGuid();
        foreach (var score in new[] { 3.5m, 4m })
        {
            await using var db = await pool.CreateDbContextAsync();
            await RatingWrites.SetScoreAsync(db, userId, movieId, score, DateTimeOffset.UtcNow, CancellationToken.None);
        }

        // Each write is two commands and its commit: the row created if need be, locked and read; then its update and
        // its event in one batch. EF Core's automatic savepoint would add two round trips around the batch.
        Assert.Equal(0, statements.Savepoints);
        Assert.Equal(4, statements.Commands);
        Assert.Equal(4m, await fixture.QueryAsync<decimal>("ratingsdb", "SELECT score FROM ratings WHERE user_id = @p0 AND movie_id = @p1", userId, movieId));
        Assert.Equal(2, await fixture.QueryAsync<long>("ratingsdb",
            "SELECT count(*) FROM outbox_messages WHERE aggregate_id = @p0", $"rating/{movieId}/{userId}"));
    }

    [Fact]
    public async Task TheRelayIsWokenWhenATransactionWithEventsCommitsNotBeforeAndNotForARollback()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.ConnectionStringAsync("ratingsdb"));
        var wake = new OutboxWake();
        // As AddEventOutboxRelay configures the service's context.
        var options = new DbContextOptionsBuilder<RatingsDbContext>();
        options.UseServiceDatabase(dataSource).AddInterceptors(new OutboxWakeInterceptor(wake));
        var pool = new PooledDbContextFactory<RatingsDbContext>(options.Options);
        var movieId = await fixture.AddFilmAsync();

        // Rolled back: the relay would find nothing, so it is not woken.
        await using (var db = await pool.CreateDbContextAsync())
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            db.AddEvent(new WakeProbe($"probe/{Guid.NewGuid()}", 1));
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }
        Assert.False(await WokenAsync(wake));

        // Saved inside a transaction: woken at the commit, not at the save (the row is not visible to the relay before).
        await using (var db = await pool.CreateDbContextAsync())
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            db.AddEvent(new WakeProbe($"probe/{Guid.NewGuid()}", 1));
            await db.SaveChangesAsync();
            Assert.False(await WokenAsync(wake));
            await transaction.CommitAsync();
        }
        Assert.True(await WokenAsync(wake));

        // Saved without a transaction of the caller's: SaveChanges has committed when it returns.
        await using (var db = await pool.CreateDbContextAsync())
        {
            db.AddEvent(new WakeProbe($"probe/{Guid.NewGuid()}", 1));
            await db.SaveChangesAsync();
        }
        Assert.True(await WokenAsync(wake));

        // A commit without events does not wake it: the rating write that changes nothing writes no event.
        await using (var db = await pool.CreateDbContextAsync())
        {
            var userId = Guid.NewGuid();
            await RatingWrites.SetScoreAsync(db, userId, movieId, 3m, DateTimeOffset.UtcNow, CancellationToken.None);
            Assert.True(await WokenAsync(wake));
            await RatingWrites.SetScoreAsync(db, userId, movieId, 3m, DateTimeOffset.UtcNow, CancellationToken.None);
            Assert.False(await WokenAsync(wake));
        }

        // Saved inside a transaction begun by statement, as a consumer's batch is (EF Core told not to begin one): the
        // save commits nothing, so it wakes nobody; the consumer wakes the relay after its COMMIT.
        await using (var db = await pool.CreateDbContextAsync())
        {
            db.Database.AutoTransactionBehavior = AutoTransactionBehavior.Never;
            await db.Database.OpenConnectionAsync();
            await db.Database.ExecuteSqlRawAsync("BEGIN");
            db.AddEvent(new WakeProbe($"probe/{Guid.NewGuid()}", 1));
            await db.SaveChangesAsync();
            Assert.False(await WokenAsync(wake));
            await db.Database.ExecuteSqlRawAsync("ROLLBACK");
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Whether a wake is waiting; the interceptor wakes synchronously, so nothing more is worth waiting for.</summary>
    private static Task<bool> WokenAsync(OutboxWake wake) => wake.Signal.WaitAsync(TimeSpan.FromMilliseconds(1), CancellationToken.None);

    /// <summary>An event on a topic nobody reads: the service's relay publishes it, and nothing applies it.</summary>
    private sealed record WakeProbe(string AggregateId, long AggregateVersion) : IIntegrationEvent
    {
        public static string EventType => "WakeProbe";
        public static int SchemaVersion => 1;
        public static string Topic => "wake-probe-test";
    }

    /// <summary>Counts the commands a context sends and the savepoints it makes.</summary>
    private sealed class StatementLog : DbCommandInterceptor, IDbTransactionInterceptor
    {
        private int _commands;
        private int _savepoints;

        public int Commands => _commands;
        public int Savepoints => _savepoints;

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _commands);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _commands);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _commands);
            return ValueTask.FromResult(result);
        }

        public ValueTask<InterceptionResult> CreatingSavepointAsync(
            DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _savepoints);
            return ValueTask.FromResult(result);
        }
    }

    /// <summary>A rating and its event, written the way the endpoint writes them, then committed or rolled back.</summary>
    private static async Task<Guid> WriteRatingAsync(DbContextOptions<RatingsDbContext> options, int movieId, bool commit)
    {
        await using var db = new RatingsDbContext(options);
        await using var transaction = await db.Database.BeginTransactionAsync();
        var userId = Guid.NewGuid();
        var score = commit ? 4.5m : 1.5m;
        db.Ratings.Add(new Rating { UserId = userId, MovieId = movieId, Score = score, Version = 1, UpdatedAt = DateTimeOffset.UtcNow });
        var row = db.AddEvent(new RatingChanged(movieId, userId, null, score, 1, DateTimeOffset.UtcNow));
        await db.SaveChangesAsync();
        // Inside the transaction the event is there, beside the change.
        Assert.Equal(1, await db.Set<OutboxMessage>().CountAsync(m => m.EventId == row.EventId));
        if (commit)
        {
            await transaction.CommitAsync();
        }
        else
        {
            await transaction.RollbackAsync();
        }
        return row.EventId;
    }

    private static async Task<HashSet<Guid>> EventIdsOnStreamAsync(IConnectionMultiplexer redis)
    {
        var entries = await redis.GetDatabase().StreamRangeAsync("matcha:events:ratings", messageOrder: Order.Descending, count: 5000);
        return [.. entries.Select(e => EventEnvelope.TryParse(e["envelope"], out var envelope) ? envelope.EventId : Guid.Empty)];
    }
}
