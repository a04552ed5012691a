using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;

namespace Matcha.EventBus;

/// <summary>
/// Applies a subscription's events to the consumer's database. It runs inside the consumer's
/// transaction, after the event's id has been recorded in the inbox; it changes the context
/// (tracked entities or set-based statements) and the consumer saves and commits. Throwing
/// rolls everything back and the message is retried, then dead-lettered. A batch of events is
/// applied by one applier instance in one transaction: it may gather their effect and write it
/// once in <see cref="FlushAsync"/>, just before the consumer saves and commits.
/// Types the applier does not know are simply ignored.
/// </summary>
public interface IEventApplier<in TContext> where TContext : DbContext
{
    Task ApplyAsync(EventEnvelope envelope, TContext db, CancellationToken cancellationToken);

    /// <summary>Before the batch's events to apply (those the inbox let through), in order: the place to read what they need in one query.</summary>
    Task PrepareAsync(IReadOnlyList<EventEnvelope> envelopes, TContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Whether the consumer saves the context after each event, so that the next event's queries
    /// see it. An applier that keeps what it read in <see cref="PrepareAsync"/> and finds it there
    /// can say no: the batch's tracked changes then go to the database in one batched command.
    /// </summary>
    bool SaveAfterEachEvent => true;

    /// <summary>After the last event of a batch (or the only one), before the consumer saves and commits.</summary>
    Task FlushAsync(TContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>After an applied event committed: the place for side effects outside the database, such as evicting a cache.</summary>
    Task AfterCommitAsync(EventEnvelope envelope, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>After a batch committed, with its applied events in order: by default <see cref="AfterCommitAsync"/> for each.</summary>
    async Task AfterBatchCommitAsync(IReadOnlyList<EventEnvelope> applied, CancellationToken cancellationToken)
    {
        foreach (var envelope in applied)
        {
            await AfterCommitAsync(envelope, cancellationToken);
        }
    }
}

/// <summary>What happened to one delivered event.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ApplyOutcome>))]
public enum ApplyOutcome
{
    Applied,
    /// <summary>Its id was already in the inbox: a redelivery, with no second effect.</summary>
    Duplicate,
    /// <summary>Its aggregate version is not newer than one already applied: dropped.</summary>
    Stale,
}
