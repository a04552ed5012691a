using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;

namespace Matcha.EventBus;

/// <summary>
/// Applies a subscription's events to the consumer's database. It runs inside the consumer's
/// transaction, after the event's id has been recorded in the inbox; it changes the context
/// (tracked entities or set-based statements) and the consumer saves and commits. Throwing
/// rolls everything back and the message is retried, then dead-lettered.
/// Types the applier does not know are simply ignored.
/// </summary>
public interface IEventApplier<in TContext> where TContext : DbContext
{
    Task ApplyAsync(EventEnvelope envelope, TContext db, CancellationToken cancellationToken);

    /// <summary>After an applied event committed: the place for side effects outside the database, such as evicting a cache.</summary>
    Task AfterCommitAsync(EventEnvelope envelope, CancellationToken cancellationToken) => Task.CompletedTask;
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
