using Matcha.EventBus;

namespace Matcha.Social.Erasure;

/// <summary>Social's reading of Accounts' EraseUserData v1 (the account deletion saga's command).</summary>
/// <see cref="AwaitedEventIds"/>: the removals Ratings announced, which Social must have applied first.
public sealed record EraseUserData(Guid DeletionId, Guid UserId, string Step, int Attempt, IReadOnlyList<Guid>? AwaitedEventIds);

/// <summary>The saga step Social answers.</summary>
public static class ErasureSteps
{
    /// <summary>Erase the member, their follows both ways, their activities, and the traces of the events about them.</summary>
    public const string Social = "Social";
}

/// <summary>The reply v1: the step is done. No user id travels back.</summary>
public sealed record UserDataErased(Guid DeletionId, string Step, int Attempt, IReadOnlyList<Guid> RemovalEventIds) : IIntegrationEvent
{
    public static string EventType => nameof(UserDataErased);
    public static int SchemaVersion => 1;
    public static string Topic => "account-deletion-replies";
    public string AggregateId => $"deletion/{DeletionId}/{Step}";
    public long AggregateVersion => Attempt;
}
