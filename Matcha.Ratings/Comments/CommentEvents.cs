using Matcha.EventBus;
using Matcha.Ratings.Ratings;

namespace Matcha.Ratings.Comments;

/// <summary>A comment was posted on a film. v1. A comment is posted once and removed once: version 1, then 2.</summary>
public sealed record CommentPosted(long CommentId, int MovieId, Guid UserId, bool IsSpoiler, DateTimeOffset PostedAt) : IIntegrationEvent
{
    public static string EventType => nameof(CommentPosted);
    public static int SchemaVersion => 1;
    public static string Topic => RatingsTopic.Name;
    public string AggregateId => $"comment/{CommentId}";
    public long AggregateVersion => 1;
}

/// <summary>A comment was deleted by its author. v1.</summary>
public sealed record CommentRemoved(long CommentId, int MovieId, Guid UserId, DateTimeOffset RemovedAt) : IIntegrationEvent
{
    public static string EventType => nameof(CommentRemoved);
    public static int SchemaVersion => 1;
    public static string Topic => RatingsTopic.Name;
    public string AggregateId => $"comment/{CommentId}";
    public long AggregateVersion => 2;
}
