using System.Collections.Concurrent;
using Matcha.Catalog.Data;
using Matcha.EventBus;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Matcha.Tests.Backbone;

/// <summary>
/// A consumer's apply transaction begins with the inbox's statements and commits with the applier's writes, each
/// sent in one round trip (EventSubscription): what a failure in the last of them must leave behind is nothing.
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public class ApplyTransactionTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task ABatchWhoseCommitFailsLeavesNothingAndItsEventsApplyWhenDeliveredAgain()
    {
        // One connection in the pool: the retry runs on the connection the failure left, so it must not be stuck in
        // the failed transaction.
        var connectionString = new NpgsqlConnectionStringBuilder(await fixture.ConnectionStringAsync("catalogdb")) { MaxPoolSize = 1 }.ConnectionString;
        var subscription = $"test-commit-fails-{Guid.NewGuid():N}";
        var commentId = Random.Shared.NextInt64(1L << 40, 1L << 50);
        var failure = new FailureSwitch { On = true };
        await using var services = Consumer(connectionString, subscription, failure, commentId);
        var consumer = services.GetRequiredService<IEventSubscription>();
        EventEnvelope[] batch =
        [
            EventsDriver.Envelope("Noted", $"note/{commentId}", 1, new { commentId }),
            EventsDriver.Envelope("Noted", $"note/{commentId}", 2, new { commentId }),
        ];

        var error = await Assert.ThrowsAsync<PostgresException>(() => consumer.ApplyBatchAsync(batch, CancellationToken.None));
        Assert.Equal(PostgresErrorCodes.DivisionByZero, error.SqlState);
        Assert.Equal(0, await fixture.QueryAsync<long>("catalogdb", "SELECT count(*) FROM inbox_messages WHERE subscription = @p0", subscription));
        Assert.Equal(0, await fixture.QueryAsync<long>("catalogdb", "SELECT count(*) FROM counted_comments WHERE comment_id = @p0", commentId));

        failure.On = false;
        Assert.Equal([ApplyOutcome.Applied, ApplyOutcome.Applied], await consumer.ApplyBatchAsync(batch, CancellationToken.None));
        Assert.Equal(ApplyOutcome.Duplicate, await consumer.ApplyAsync(batch[0], CancellationToken.None));
        Assert.Equal(2, await fixture.QueryAsync<long>("catalogdb", "SELECT count(*) FROM inbox_messages WHERE subscription = @p0", subscription));
        Assert.Equal(1, await fixture.QueryAsync<long>("catalogdb", "SELECT count(*) FROM counted_comments WHERE comment_id = @p0", commentId));
        await fixture.QueryAsync<long>("catalogdb", "WITH d AS (DELETE FROM counted_comments WHERE comment_id = @p0 RETURNING 1) SELECT count(*) FROM d", commentId);
    }

    [Fact]
    public async Task TheNextBatchIsAppliedWhileThePreviousOnesAfterCommitWorkRunsAndThatWorkRunsInOrder()
    {
        var subscription = $"test-after-commit-{Guid.NewGuid():N}";
        var work = new AfterCommitLog();
        var connectionString = await fixture.ConnectionStringAsync("catalogdb");
        var services = new ServiceCollection();
        services.AddDbContext<CatalogDbContext>(options => options.UseNpgsql(connectionString).UseSnakeCaseNamingConvention());
        services.AddSingleton(work);
        services.AddScoped<AfterCommitApplier>();
        services.AddSingleton<IEventSubscription>(sp => new EventSubscription<CatalogDbContext, AfterCommitApplier>(
            subscription, "notes", sp.GetRequiredService<IServiceScopeFactory>(), Options.Create(new EventBusOptions())));
        await using var provider = services.BuildServiceProvider();
        var consumer = provider.GetRequiredService<IEventSubscription>();
        var aggregate = $"note/{Guid.NewGuid():N}";
        var events = Enumerable.Range(1, 4).Select(version => EventsDriver.Envelope("Noted", aggregate, version, new { version })).ToArray();

        // The first batch's work waits at the gate: the second batch commits all the same, and its work waits behind it.
        foreach (var envelope in events[..2])
        {
            Assert.Equal(ApplyOutcome.Applied, await consumer.ApplyAsync(envelope, CancellationToken.None));
        }
        Assert.Equal(2, await fixture.QueryAsync<long>("catalogdb", "SELECT count(*) FROM inbox_messages WHERE subscription = @p0", subscription));
        Assert.Empty(work.Done);
        Assert.False(consumer.AfterCommitWork.IsCompleted);

        work.Gate.SetResult();
        await consumer.AfterCommitWork.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([1L, 2L], work.Done);

        // Work that fails is logged and does not stop the work of the batches after it; a repeat has none.
        work.FailAt = 3;
        Assert.Equal(ApplyOutcome.Applied, await consumer.ApplyAsync(events[2], CancellationToken.None));
        Assert.Equal(ApplyOutcome.Applied, await consumer.ApplyAsync(events[3], CancellationToken.None));
        Assert.Equal(ApplyOutcome.Duplicate, await consumer.ApplyAsync(events[3], CancellationToken.None));
        await consumer.AfterCommitWork.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([1L, 2L, 4L], work.Done);
    }

    private static ServiceProvider Consumer(string connectionString, string subscription, FailureSwitch failure, long commentId)
    {
        var services = new ServiceCollection();
        services.AddDbContext<CatalogDbContext>(options => options.UseNpgsql(connectionString).UseSnakeCaseNamingConvention());
        services.AddSingleton(failure);
        services.AddScoped(_ => new NotingApplier(failure, commentId));
        services.AddSingleton<IEventSubscription>(sp => new EventSubscription<CatalogDbContext, NotingApplier>(
            subscription, "notes", sp.GetRequiredService<IServiceScopeFactory>(), Options.Create(new EventBusOptions())));
        return services.BuildServiceProvider();
    }

    /// <summary>What the after-commit work did, and the gate it waits at.</summary>
    private sealed class AfterCommitLog
    {
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ConcurrentQueue<long> Done { get; } = new();
        public long FailAt { get; set; }
    }

    /// <summary>Changes nothing; after each commit it waits at the gate, then notes the versions it followed.</summary>
    private sealed class AfterCommitApplier(AfterCommitLog log) : IEventApplier<CatalogDbContext>
    {
        public Task ApplyAsync(EventEnvelope envelope, CatalogDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task AfterCommitAsync(EventEnvelope envelope, CancellationToken cancellationToken)
        {
            await log.Gate.Task;
            if (envelope.AggregateVersion == log.FailAt)
            {
                throw new InvalidOperationException("The cache is away.");
            }
            log.Done.Enqueue(envelope.AggregateVersion);
        }
    }

    private sealed class FailureSwitch
    {
        public bool On { get; set; }
    }

    /// <summary>Writes a row with the batch's COMMIT, and while the switch is on, a statement that fails after it.</summary>
    private sealed class NotingApplier(FailureSwitch failure, long commentId) : IEventApplier<CatalogDbContext>
    {
        public Task ApplyAsync(EventEnvelope envelope, CatalogDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

        public IReadOnlyList<NpgsqlBatchCommand> FlushCommands()
        {
            var note = new NpgsqlBatchCommand("INSERT INTO counted_comments (comment_id, movie_id, removed) VALUES ($1, 0, false) ON CONFLICT DO NOTHING")
            {
                Parameters = { new() { Value = commentId } },
            };
            return failure.On ? [note, new NpgsqlBatchCommand("SELECT 1 / 0")] : [note];
        }
    }
}
