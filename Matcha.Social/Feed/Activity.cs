namespace Matcha.Social.Feed;

public enum ActivityKind
{
    Rated,
    Commented,

    /// <summary>A film added to a public collection.</summary>
    Collected,
}

/// <summary>
/// Something a member did that their followers see: Social's copy of a rating or a comment
/// from Ratings' events, or a film added to a public collection here. One row per member, film
/// and kind (and collection): a changed rating replaces the row (a new <see cref="Id"/>, so it
/// rises to the top of the feed); a removed one deletes it.
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

    /// <summary>The public collection a <see cref="ActivityKind.Collected"/> film was added to.</summary>
    public Guid? CollectionId { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
}
