using Matcha.EventBus;

namespace Matcha.Social.Members;

/// <summary>
/// v1: a member made their profile private or public again. Ratings keeps the flag to refuse its
/// profile lists to others (event-carried state transfer); the version counts the member's changes.
/// </summary>
public sealed record MemberPrivacyChanged(Guid UserId, bool IsPrivate, long Version) : IIntegrationEvent
{
    public static string EventType => nameof(MemberPrivacyChanged);
    public static int SchemaVersion => 1;
    public static string Topic => "social";
    public string AggregateId => $"member/{UserId}";
    public long AggregateVersion => Version;
}
