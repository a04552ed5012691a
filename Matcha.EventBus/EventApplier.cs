using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Npgsql;

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

    /// <summary>
    /// Reads that the batch's events need, sent in the inbox's own round trip, after its locks: each
    /// round trip of the apply transaction is a wake-up at both ends on a busy machine, and the events
    /// that arrive meanwhile wait behind it (docs/performance.md, "The consumer's apply in two round
    /// trips"). They are given every delivered event, duplicates and stale ones included, so they read
    /// a little more than the events to apply need. Their results go to <see cref="ReadPreparedAsync"/>.
    /// </summary>
    IReadOnlyList<NpgsqlBatchCommand> PrepareCommands(IReadOnlyList<EventEnvelope> envelopes) => [];

    /// <summary>Reads the results of <see cref="PrepareCommands"/>, in their order; the reader stands at the first one's result.</summary>
    Task ReadPreparedAsync(NpgsqlDataReader reader, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Before the batch's events to apply (those the inbox let through), in order: the place to read what they need in one query.</summary>
    Task PrepareAsync(IReadOnlyList<EventEnvelope> envelopes, TContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Whether the consumer saves the context after each event, so that the next event's queries
    /// see it. An applier that keeps what it read in <see cref="PrepareAsync"/> and finds it there
    /// can say no: the batch's tracked changes then go to the database in one batched command.
    /// </summary>
    bool SaveAfterEachEvent => true;

    /// <summary>
    /// Whether the event still applies when its aggregate version is not above the one already
    /// applied. By default no: a stale event is recorded in the inbox and dropped, which is right
    /// for an event that carries its aggregate's state. An event whose effect is a change that adds
    /// up in any order (a count's delta) must not be dropped: with several consumers, an event that
    /// sat pending in a replica that died is claimed again after another replica applied the same
    /// aggregate's next one (docs/scaling.md, "Killed under load"). The inbox still lets each event id
    /// through once.
    /// </summary>
    bool AppliesWhenStale(EventEnvelope envelope) => false;

    /// <summary>After the last event of a batch (or the only one), before the consumer saves and commits.</summary>
    Task FlushAsync(TContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The batch's writes as statements the consumer sends with its last round trip, after the
    /// context's own changes are saved: what the applier gathered over the batch, written without a
    /// round trip of its own.
    /// </summary>
    IReadOnlyList<NpgsqlBatchCommand> FlushCommands() => [];

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
