namespace Matcha.Ratings.Comments;

/// <summary>A user's comment on a film: one per user and film.</summary>
public sealed class Comment
{
    public const int MaxTextLength = 2000;

    public long Id { get; set; }
    public int MovieId { get; set; }
    public Guid UserId { get; set; }
    public required string Text { get; set; }
    public bool IsSpoiler { get; set; }
    public int LikeCount { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One user's like of someone else's comment.</summary>
public sealed class CommentLike
{
    public long CommentId { get; set; }
    public Guid UserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
