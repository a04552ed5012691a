using System.Text.Json.Serialization;

namespace Matcha.Accounts.Deletion;

/// <summary>Where a deletion saga stands. Running until every step confirmed, or until one gave up.</summary>
public enum DeletionState
{
    Running,
    NeedsAttention,
    Completed,
}

/// <summary>
/// The saga's steps, in order. Ratings erases the user's data and announces the removals;
/// Catalog confirms once it has applied those removals and forgets its own per-user rows;
/// Ratings then forgets the events it kept about the user (they have all been delivered);
/// Social erases the member, their follows both ways and the traces of Accounts' events.
/// Accounts erases the account itself when the last step is confirmed.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeletionStep>))]
public enum DeletionStep
{
    Ratings,
    Catalog,
    RatingsEvents,
    Social,
}

/// <summary>
/// One account deletion, persisted after every step so that any process may crash at any
/// moment and the saga resumes from here. <see cref="Id"/> is random (not derived from
/// anything), so the status URL built on it is a capability only the requester knows.
/// </summary>
public sealed class AccountDeletion
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public DeletionState State { get; set; }
    public DeletionStep Step { get; set; }

    /// <summary>The current step's command number; it only grows, so each resend is newer than the last for the inbox.</summary>
    public int Attempt { get; set; }

    /// <summary>Sends of the current step since it began or an operator retried it; counted against MaxAttempts.</summary>
    public int Sends { get; set; }

    /// <summary>When the current step, if still unanswered, is sent again (or given up).</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>The removal events Ratings published; Catalog confirms only once it has applied each of them.</summary>
    public List<Guid> RemovalEventIds { get; set; } = [];

    /// <summary>
    /// Accounts' announcements of the account's name (<c>AccountProfileChanged</c>) made before
    /// the deletion: Ratings forgets the events about the user, and Social erases the member, only
    /// once they have applied each of these, so a late announcement cannot leave a trace or bring
    /// the member back after their step.
    /// </summary>
    public List<Guid> ProfileEventIds { get; set; } = [];

    /// <summary>Whether the gateway's deny entry for the user's live access tokens has been written to Redis.</summary>
    public bool AccessTokensDenied { get; set; }

    public string? LastError { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>The DELETE request's W3C trace context: every step, retries included, joins its trace.</summary>
    public string? TraceParent { get; set; }
    public string? TraceState { get; set; }
}

/// <summary>All Accounts keeps of an erased account: that an account with this id existed, and when it was deleted.</summary>
public sealed class DeletedAccount
{
    public Guid Id { get; set; }
    public DateTimeOffset DeletedAt { get; set; }
}
