namespace Matcha.Social.Feed;

public enum ActivityKind
{
    Rated,
    Commented,
}

/// <summary>
/// Something a member did that their followers see: Social's copy of a rating or a comment
/// from Ratings' events. One row per member, film and kind: a changed rating replaces the row
/// (a new <see cref="Id"/>, so it rises to the top of the feed); a removed one deletes it.
/// </summary>
public sealed class Activity
{
    /// <summary>Arrival order; the feed is read newest first and paged on it.</summary>
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public ActivityKind Kind { get; set; }
    public int MovieId { get; set; }
    public decimal? Score { get; set; }
    public long? CommentId { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
}
