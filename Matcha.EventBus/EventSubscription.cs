using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Matcha.EventBus;

/// <summary>One named subscription to a topic: where it reads, where its dead letters go, and how one event is applied.</summary>
internal interface IEventSubscription
{
    string Name { get; }
    string StreamKey { get; }
    string DeadLetterKey { get; }
    Task<ApplyOutcome> ApplyAsync(EventEnvelope envelope, CancellationToken cancellationToken);

    /// <summary>Applies every event in order in one transaction: all of them take effect, or (it throws) none.</summary>
    Task<IReadOnlyList<ApplyOutcome>> ApplyBatchAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken);

    /// <summary>Which of these events the inbox already holds (applied before, so repeats now).</summary>
    Task<IReadOnlySet<Guid>> AppliedAmongAsync(IReadOnlyCollection<Guid> eventIds, CancellationToken cancellationToken);
}

/// <summary>
/// Applies an event exactly once in effect: in one transaction it records the event id in
/// the inbox (a redelivery, even a concurrent one, finds it there or waits on its key and
/// stops), advances the aggregate's applied version (an older event stops here), lets the
/// applier change the database, and commits.
/// </summary>
internal sealed class EventSubscription<TContext, TApplier>(
    string name,
    string topic,
    IServiceScopeFactory scopes,
    IOptions<EventBusOptions> options) : IEventSubscription
    where TContext : DbContext
    where TApplier : class, IEventApplier<TContext>
{
    public string Name => name;
    public string StreamKey => options.Value.StreamKey(topic);
    public string DeadLetterKey => options.Value.DeadLetterKey(topic, name);

    public async Task<ApplyOutcome> ApplyAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        using var span = StartSpan(envelope);
        try
        {
            var outcome = await ApplyInTransactionAsync(envelope, cancellationToken);
            span?.SetTag("matcha.event.outcome", outcome.ToString());
            return outcome;
        }
        catch (Exception ex)
        {
            span.Failed(ex);
            throw;
        }
    }

    /// <summary>
    /// The same outcome as <see cref="ApplyAsync"/> for each event, in one transaction and one
    /// DbContext: the inbox judges the whole batch in a few statements (<see cref="InboxBatch"/>),
    /// the applier reads what the events need at once and writes their effect at the end. At load
    /// the consumer's time went to round trips, one after another, so a batch costs a handful of
    /// them instead of several per event. A failure rolls back the whole batch; the consumer then
    /// applies its events one by one, so a poison event fails alone (docs/performance.md).
    /// </summary>
    public async Task<IReadOnlyList<ApplyOutcome>> ApplyBatchAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        IEventApplier<TContext> applier = scope.ServiceProvider.GetRequiredService<TApplier>();
        // One span per event, each continuing its producer's trace; the batch's own statements run
        // outside them, and each event's applier inside its own.
        var outer = Activity.Current;
        var spans = envelopes.Select(StartSpan).ToList();
        Activity.Current = outer;
        ApplyOutcome[] outcomes;
        try
        {
            await using (var transaction = await BeginAsync(db, cancellationToken))
            {
                outcomes = await InboxBatch.JudgeAsync(db, name, envelopes, cancellationToken);
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
                await SaveAsync(db, applier, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
        }
        catch (Exception ex)
        {
            spans.ForEach(span => span.Failed(ex));
            throw;
        }
        finally
        {
            spans.ForEach(span => span?.Dispose());
        }
        await applier.AfterBatchCommitAsync([.. envelopes.Where((_, i) => outcomes[i] == ApplyOutcome.Applied)], cancellationToken);
        return outcomes;
    }

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

    private async Task<ApplyOutcome> ApplyInTransactionAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        IEventApplier<TContext> applier = scope.ServiceProvider.GetRequiredService<TApplier>();
        ApplyOutcome outcome;
        await using (var transaction = await BeginAsync(db, cancellationToken))
        {
            outcome = await ApplyStepsAsync(envelope, db, applier, cancellationToken);
            if (outcome == ApplyOutcome.Duplicate)
            {
                return outcome;
            }
            await SaveAsync(db, applier, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        if (outcome == ApplyOutcome.Applied)
        {
            await applier.AfterCommitAsync(envelope, cancellationToken);
        }
        return outcome;
    }

    /// <summary>Inbox, version check and the applier's change for one event, inside the caller's transaction.</summary>
    private async Task<ApplyOutcome> ApplyStepsAsync(EventEnvelope envelope, TContext db, IEventApplier<TContext> applier, CancellationToken cancellationToken)
    {
        // One round trip for both: the version is advanced only if the inbox took the event
        // (a repeat changes nothing), and only if it is newer than the one applied.
        // Not composed (no SingleAsync): a WITH that writes must stay at the top of the statement.
        var checks = await db.Database.SqlQuery<InboxCheck>($"""
            WITH recorded AS (
                INSERT INTO inbox_messages (subscription, event_id, type, aggregate_id, aggregate_version, processed_at)
                VALUES ({name}, {envelope.EventId}, {envelope.Type}, {envelope.AggregateId}, {envelope.AggregateVersion}, now())
                ON CONFLICT DO NOTHING
                RETURNING 1),
            newer AS (
                INSERT INTO inbox_aggregate_versions AS v (subscription, aggregate_id, version)
                SELECT {name}, {envelope.AggregateId}, {envelope.AggregateVersion} WHERE EXISTS (SELECT 1 FROM recorded)
                ON CONFLICT (subscription, aggregate_id) DO UPDATE SET version = excluded.version
                WHERE v.version < excluded.version
                RETURNING 1)
            SELECT EXISTS (SELECT 1 FROM recorded) AS "Recorded", EXISTS (SELECT 1 FROM newer) AS "Newer"
            """).ToListAsync(cancellationToken);
        var (recorded, newer) = checks[0];
        if (!recorded)
        {
            return ApplyOutcome.Duplicate;
        }
        if (!newer && !applier.AppliesWhenStale(envelope))
        {
            return ApplyOutcome.Stale;
        }

        await applier.PrepareAsync([envelope], db, cancellationToken);
        await applier.ApplyAsync(envelope, db, cancellationToken);
        return ApplyOutcome.Applied;
    }

    /// <summary>
    /// No savepoints: a failure rolls the whole transaction back anyway, and EF Core's automatic
    /// savepoint around each SaveChanges cost two round trips per event (docs/performance.md).
    /// </summary>
    private static async Task<IDbContextTransaction> BeginAsync(TContext db, CancellationToken cancellationToken)
    {
        db.Database.AutoSavepointsEnabled = false;
        return await db.Database.BeginTransactionAsync(cancellationToken);
    }

    /// <summary>Once per transaction, not per event: the applier writes what it gathered over the batch.</summary>
    private static async Task SaveAsync(TContext db, IEventApplier<TContext> applier, CancellationToken cancellationToken)
    {
        await applier.FlushAsync(db, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>What the inbox said of one event: first time here, and newer than its aggregate's applied version.</summary>
internal sealed record InboxCheck(bool Recorded, bool Newer);
