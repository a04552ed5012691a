namespace Matcha.Catalog.Statistics;

/// <summary>
/// A comment Catalog has heard of, counted or already removed. Its state, not the order in which
/// CommentPosted and CommentRemoved arrive, decides the count: a removal of a comment never
/// counted subtracts nothing and leaves a tombstone, so a late CommentPosted adds nothing either.
/// </summary>
public sealed class CountedComment
{
    public long CommentId { get; set; }
    public int MovieId { get; set; }
    public bool Removed { get; set; }
}
