using Matcha.EventBus;

namespace Matcha.Ratings.Erasure;

/// <summary>
/// Ratings' reading of Accounts' EraseUserData v1 (the account deletion saga's command).
/// <see cref="AwaitedEventIds"/>: for the events step, Accounts' announcements of the account's
/// name, which must have been applied before the events about the user are forgotten.
/// </summary>
public sealed record EraseUserData(Guid DeletionId, Guid UserId, string Step, int Attempt, IReadOnlyList<Guid>? AwaitedEventIds = null);

/// <summary>The saga steps Ratings answers.</summary>
public static class ErasureSteps
{
    /// <summary>Erase the user's ratings, wishlist, comments, likes and author name, announcing each removal.</summary>
    public const string Data = "Ratings";

    /// <summary>Forget the events about the user, now that Catalog has applied them.</summary>
    public const string Events = "RatingsEvents";
}

/// <summary>
/// The reply v1: the step is done. <see cref="RemovalEventIds"/> are the events that
/// announced the removals, which Catalog must have applied before it confirms its own step.
/// No user id travels back.
/// </summary>
public sealed record UserDataErased(Guid DeletionId, string Step, int Attempt, IReadOnlyList<Guid> RemovalEventIds) : IIntegrationEvent
{
    public static string EventType => nameof(UserDataErased);
    public static int SchemaVersion => 1;
    public static string Topic => "account-deletion-replies";
    public string AggregateId => $"deletion/{DeletionId}/{Step}";
    public long AggregateVersion => Attempt;
}
