using Matcha.EventBus;

namespace Matcha.Catalog.Erasure;

/// <summary>Catalog's reading of Accounts' EraseUserData v1 (the account deletion saga's command).</summary>
public sealed record EraseUserData(Guid DeletionId, Guid UserId, string Step, int Attempt, IReadOnlyList<Guid>? AwaitedEventIds);

/// <summary>The reply v1: Catalog's statistics no longer hold anything of the user. No user id travels back.</summary>
public sealed record UserDataErased(Guid DeletionId, string Step, int Attempt) : IIntegrationEvent
{
    public static string EventType => nameof(UserDataErased);
    public static int SchemaVersion => 1;
    public static string Topic => "account-deletion-replies";
    public string AggregateId => $"deletion/{DeletionId}/{Step}";
    public long AggregateVersion => Attempt;
}
