using Matcha.EventBus;

namespace Matcha.Accounts.Users;

/// <summary>
/// v2: an account's public face was set (sign-up) or changed (rename). Services that show
/// names keep their own copy from these (event-carried state transfer) instead of calling
/// Accounts. <see cref="Version"/> is the change's time in UTC ticks: accounts keep no
/// counter, and a later rename always has a later time, so consumers drop older copies.
/// v2 adds <see cref="Handle"/>, the account's public id, so every service links to the same
/// profile; v1 readers ignore it.
/// </summary>
public sealed record AccountProfileChanged(Guid UserId, string DisplayName, long Version, Guid Handle) : IIntegrationEvent
{
    public static string EventType => nameof(AccountProfileChanged);
    public static int SchemaVersion => 2;
    public static string Topic => "accounts";
    public string AggregateId => $"account/{UserId}";
    public long AggregateVersion => Version;
}
