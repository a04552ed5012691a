using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
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
        using var span = EventTelemetry.Start($"{envelope.Type} process", ActivityKind.Consumer, envelope.TraceParent, envelope.TraceState);
        span?.SetTag("messaging.system", "redis");
        span?.SetTag("messaging.destination.name", StreamKey);
        span?.SetTag("messaging.consumer.group.name", name);
        span?.SetTag("messaging.message.id", envelope.EventId.ToString());
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

    private async Task<ApplyOutcome> ApplyInTransactionAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var recorded = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO inbox_messages (subscription, event_id, type, aggregate_id, aggregate_version, processed_at)
            VALUES ({name}, {envelope.EventId}, {envelope.Type}, {envelope.AggregateId}, {envelope.AggregateVersion}, now())
            ON CONFLICT DO NOTHING
            """, cancellationToken);
        if (recorded == 0)
        {
            return ApplyOutcome.Duplicate;
        }

        var newer = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO inbox_aggregate_versions AS v (subscription, aggregate_id, version)
            VALUES ({name}, {envelope.AggregateId}, {envelope.AggregateVersion})
            ON CONFLICT (subscription, aggregate_id) DO UPDATE SET version = excluded.version
            WHERE v.version < excluded.version
            """, cancellationToken);
        if (newer == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return ApplyOutcome.Stale;
        }

        IEventApplier<TContext> applier = scope.ServiceProvider.GetRequiredService<TApplier>();
        await applier.ApplyAsync(envelope, db, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await applier.AfterCommitAsync(envelope, cancellationToken);
        return ApplyOutcome.Applied;
    }
}
