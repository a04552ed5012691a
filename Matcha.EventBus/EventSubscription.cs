using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Matcha.EventBus;

/// <summary>One named subscription to a topic: where it reads, where its dead letters go, and how one event is applied.</summary>
internal interface IEventSubscription
{
    string Name { get; }
    string StreamKey { get; }
    string DeadLetterKey { get; }
    Task<ApplyOutcome> ApplyAsync(EventEnvelope envelope, CancellationToken cancellationToken);

    /// <summary>
    /// Applies every event in order in one transaction: all of them take effect, or (it throws) none. Returns once
    /// the transaction has committed; the applier's after-commit work may still be running (<see cref="AfterCommitWork"/>).
    /// </summary>
    Task<IReadOnlyList<ApplyOutcome>> ApplyBatchAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken);

    /// <summary>Which of these events the inbox already holds (applied before, so repeats now).</summary>
    Task<IReadOnlySet<Guid>> AppliedAmongAsync(IReadOnlyCollection<Guid> eventIds, CancellationToken cancellationToken);

    /// <summary>The after-commit work of the last batch applied: done when it and every batch's before it are done.</summary>
    Task AfterCommitWork => Task.CompletedTask;
}

/// <summary>
/// Applies an event exactly once in effect: in one transaction it records the event id in
/// the inbox (a redelivery, even a concurrent one, finds it there or waits on its key and
/// stops), advances the aggregate's applied version (an older event stops here), lets the
/// applier change the database, and commits.
/// </summary>
internal sealed partial class EventSubscription<TContext, TApplier>(
    string name,
    string topic,
    IServiceScopeFactory scopes,
    IOptions<EventBusOptions> options,
    ILogger? logger = null) : IEventSubscription
    where TContext : DbContext
    where TApplier : class, IEventApplier<TContext>
{
    public string Name => name;
    public string StreamKey => options.Value.StreamKey(topic);
    public string DeadLetterKey => options.Value.DeadLetterKey(topic, name);

    private Task _afterCommit = Task.CompletedTask;

    public Task AfterCommitWork => Volatile.Read(ref _afterCommit);

    /// <summary>One event is a batch of one: the same statements, the same round trips.</summary>
    public async Task<ApplyOutcome> ApplyAsync(EventEnvelope envelope, CancellationToken cancellationToken) =>
        (await ApplyBatchAsync([envelope], cancellationToken))[0];

    /// <summary>
    /// The same outcome as applying each event on its own, in one transaction and one DbContext, in
    /// two round trips to Postgres when the applier writes through statements of its own: the first
    /// begins the transaction, judges the whole batch in the inbox (<see cref="InboxBatch"/>) and reads
    /// what the applier needs (<see cref="IEventApplier{TContext}.PrepareCommands"/>); the last sends
    /// the applier's writes (<see cref="IEventApplier{TContext}.FlushCommands"/>) with the COMMIT. The
    /// context's own changes, when there are any, are saved in between. At load the consumer's time
    /// went to round trips, one after another, each a wake-up at both ends on a busy machine, and the
    /// events that arrived meanwhile waited behind them (docs/performance.md). A failure rolls back the
    /// whole batch; the consumer then applies its events one by one, so a poison event fails alone.
    /// </summary>
    /// <remarks>
    /// BEGIN and COMMIT are statements of the batch rather than an <see cref="NpgsqlTransaction"/>, whose
    /// commit is a round trip of its own (<see cref="StatementTransaction"/>). EF Core's SaveChanges runs inside it
    /// (it is told not to begin one of its own), so the outbox's wake-up comes after the COMMIT here.
    /// </remarks>
    public async Task<IReadOnlyList<ApplyOutcome>> ApplyBatchAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken)
    {
        // The scope outlives this call when the applier's after-commit work does: that work disposes it.
        var scope = scopes.CreateAsyncScope();
        var handedOn = false;
        try
        {
            var outcomes = await ApplyInScopeAsync(scope, envelopes, cancellationToken);
            FollowWithAfterCommit(scope, [.. envelopes.Where((_, i) => outcomes[i] == ApplyOutcome.Applied)]);
            handedOn = true;
            return outcomes;
        }
        finally
        {
            if (!handedOn)
            {
                await scope.DisposeAsync();
            }
        }
    }

    private async Task<ApplyOutcome[]> ApplyInScopeAsync(AsyncServiceScope scope, IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken)
    {
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        IEventApplier<TContext> applier = scope.ServiceProvider.GetRequiredService<TApplier>();
        // One span per event, each continuing its producer's trace; the batch's own statements run
        // outside them, and each event's applier inside its own.
        var outer = Activity.Current;
        var spans = envelopes.Select(StartSpan).ToList();
        Activity.Current = outer;
        ApplyOutcome[] outcomes;
        db.Database.AutoTransactionBehavior = AutoTransactionBehavior.Never;
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        try
        {
            outcomes = await InboxBatch.JudgeAsync(connection, name, envelopes,
                applier.PrepareCommands(envelopes), reader => applier.ReadPreparedAsync(reader, cancellationToken), cancellationToken);
            for (var i = 0; i < envelopes.Count; i++)
            {
                if (outcomes[i] == ApplyOutcome.Stale && applier.AppliesWhenStale(envelopes[i]))
                {
                    outcomes[i] = ApplyOutcome.Applied;
                }
            }
            await applier.PrepareAsync([.. envelopes.Where((_, i) => outcomes[i] == ApplyOutcome.Applied)], db, cancellationToken);
            for (var i = 0; i < envelopes.Count; i++)
            {
                spans[i]?.SetTag("matcha.event.outcome", outcomes[i].ToString());
                if (outcomes[i] != ApplyOutcome.Applied)
                {
                    continue;
                }
                Activity.Current = spans[i];
                await applier.ApplyAsync(envelopes[i], db, cancellationToken);
                if (applier.SaveAfterEachEvent)
                {
                    await db.SaveChangesAsync(cancellationToken);
                }
                Activity.Current = outer;
            }
            await applier.FlushAsync(db, cancellationToken);
            var addsEvents = db.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added);
            await db.SaveChangesAsync(cancellationToken);
            await using (var commit = new NpgsqlBatch(connection))
            {
                foreach (var command in applier.FlushCommands())
                {
                    commit.BatchCommands.Add(command);
                }
                commit.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
                await commit.ExecuteNonQueryAsync(cancellationToken);
            }
            if (addsEvents)
            {
                scope.ServiceProvider.GetService<OutboxWake>()?.Committed();
            }
        }
        catch (Exception ex)
        {
            spans.ForEach(span => span.Failed(ex));
            await StatementTransaction.RollBackAsync(connection);
            throw;
        }
        finally
        {
            spans.ForEach(span => span?.Dispose());
            await db.Database.CloseConnectionAsync();
        }
        return outcomes;
    }

    /// <summary>
    /// Runs the applier's after-commit work (evicting caches, a Redis round trip or more) once the previous batch's is
    /// done, without holding up the consumer: it reads and applies its next batch meanwhile. At 200 writes/s the
    /// consumer's next read waited for that round trip after every batch, and the events that arrived meanwhile with
    /// it (docs/performance.md). Each batch's work still comes after its own commit and after the work of the batches
    /// before it. A failure is logged: the batch has committed, and what is left undone is a cache entry that lives
    /// out its lifetime, as when the process stops between the commit and the eviction.
    /// </summary>
    private void FollowWithAfterCommit(AsyncServiceScope scope, IReadOnlyList<EventEnvelope> applied)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var previous = Interlocked.Exchange(ref _afterCommit, done.Task);
        _ = RunAfterCommitAsync();

        async Task RunAfterCommitAsync()
        {
            await using (scope)
            {
                await previous;
                try
                {
                    if (applied.Count > 0)
                    {
                        IEventApplier<TContext> applier = scope.ServiceProvider.GetRequiredService<TApplier>();
                        await applier.AfterBatchCommitAsync(applied, CancellationToken.None);
                    }
                }
                catch (Exception ex)
                {
                    LogAfterCommitFailed(logger ?? NullLogger.Instance, ex, name, applied.Count);
                }
                finally
                {
                    done.SetResult();
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Subscription}: the after-commit work of {Count} applied event(s) failed; their effects in the database stand")]
    private static partial void LogAfterCommitFailed(ILogger logger, Exception exception, string subscription, int count);

    public async Task<IReadOnlySet<Guid>> AppliedAmongAsync(IReadOnlyCollection<Guid> eventIds, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var ids = eventIds.ToArray();
        var applied = await db.Database
            .SqlQuery<Guid>($"SELECT event_id AS \"Value\" FROM inbox_messages WHERE subscription = {name} AND event_id = ANY({ids})")
            .ToListAsync(cancellationToken);
        return applied.ToHashSet();
    }

    private Activity? StartSpan(EventEnvelope envelope)
    {
        var span = EventTelemetry.Start($"{envelope.Type} process", ActivityKind.Consumer, envelope.TraceParent, envelope.TraceState);
        span?.SetTag("messaging.system", "redis");
        span?.SetTag("messaging.destination.name", StreamKey);
        span?.SetTag("messaging.consumer.group.name", name);
        span?.SetTag("messaging.message.id", envelope.EventId.ToString());
        return span;
    }
}
