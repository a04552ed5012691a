using Matcha.Catalog.Movies;
using Matcha.EventBus;

namespace Matcha.Catalog.Statistics;

// Catalog's reading of Ratings' events (v1): only the fields it uses; anything else is ignored.

public sealed record RatingChanged(int MovieId, Guid UserId, decimal? OldScore, decimal? NewScore);

public sealed record WishlistChanged(int MovieId, Guid UserId, string? OldState, string? NewState);

public sealed record CommentPosted(long CommentId, int MovieId);

public sealed record CommentRemoved(long CommentId, int MovieId);

/// <summary>
/// Catalog refuses a rating Ratings accepted from a stale copy of the film (it is not released).
/// v1. Same aggregate as the rating (<c>rating/{movieId}/{userId}</c>) and the version it refuses.
/// </summary>
public sealed record RatingRejected(int MovieId, Guid UserId, long RatingVersion, string Reason) : IIntegrationEvent
{
    public static string EventType => nameof(RatingRejected);
    public static int SchemaVersion => 1;
    public static string Topic => CatalogTopic.Name;
    public string AggregateId => $"rating/{MovieId}/{UserId}";
    public long AggregateVersion => RatingVersion;
}
