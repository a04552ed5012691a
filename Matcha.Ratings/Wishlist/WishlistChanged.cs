using Matcha.EventBus;
using Matcha.Ratings.Ratings;

namespace Matcha.Ratings.Wishlist;

/// <summary>A user's wishlist state for a film was set, changed or cleared (<see cref="NewState"/> null). v1.</summary>
public sealed record WishlistChanged(int MovieId, Guid UserId, WishState? OldState, WishState? NewState, long Version, DateTimeOffset ChangedAt)
    : IIntegrationEvent
{
    public static string EventType => nameof(WishlistChanged);
    public static int SchemaVersion => 1;
    public static string Topic => RatingsTopic.Name;
    public string AggregateId => $"wishlist/{MovieId}/{UserId}";
    public long AggregateVersion => Version;
}
