using Matcha.EventBus;

namespace Matcha.Accounts.Deletion;

/// <summary>The streams of the deletion saga: commands out, replies in.</summary>
public static class DeletionTopics
{
    public const string Commands = "account-deletions";
    public const string Replies = "account-deletion-replies";
}

/// <summary>
/// Command v1: the participant named by <see cref="Step"/> erases what it holds about
/// <see cref="UserId"/> and answers <c>UserDataErased</c>. Sent again (a higher
/// <see cref="Attempt"/>, so the inbox does not drop it as stale) while unanswered; every
/// participant handles it idempotently. <see cref="AwaitedEventIds"/>: the events the participant
/// must have applied before it acts (Catalog: Ratings' removals; RatingsEvents: the account's name
/// announcements; Social: both).
/// </summary>
public sealed record EraseUserData(Guid DeletionId, Guid UserId, DeletionStep Step, int Attempt, IReadOnlyList<Guid> AwaitedEventIds) : IIntegrationEvent
{
    public static string EventType => nameof(EraseUserData);
    public static int SchemaVersion => 1;
    public static string Topic => DeletionTopics.Commands;
    public string AggregateId => $"deletion/{DeletionId}/{Step}";
    public long AggregateVersion => Attempt;
}

/// <summary>Accounts' reading of a participant's reply v1 (no user id travels back, only the saga's).</summary>
public sealed record UserDataErased(Guid DeletionId, DeletionStep Step, int Attempt, IReadOnlyList<Guid>? RemovalEventIds);
