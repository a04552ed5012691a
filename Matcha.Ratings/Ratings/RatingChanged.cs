using Matcha.EventBus;

namespace Matcha.Ratings.Ratings;

/// <summary>
/// A user's rating of a film was set, changed or removed (<see cref="NewScore"/> null).
/// v1. Carries the old score so that a consumer can keep sums and histograms without
/// reading anything back.
/// </summary>
public sealed record RatingChanged(int MovieId, Guid UserId, decimal? OldScore, decimal? NewScore, long Version, DateTimeOffset ChangedAt)
    : IIntegrationEvent
{
    public static string EventType => nameof(RatingChanged);
    public static int SchemaVersion => 1;
    public static string Topic => RatingsTopic.Name;
    public string AggregateId => $"rating/{MovieId}/{UserId}";
    public long AggregateVersion => Version;
}

/// <summary>The stream every Ratings event goes to.</summary>
public static class RatingsTopic
{
    public const string Name = "ratings";
}
