namespace Matcha.Social.Follows;

/// <summary>One member following another. <see cref="Id"/> only orders the lists (newest first) and pages them.</summary>
public sealed class Follow
{
    public long Id { get; set; }
    public Guid FollowerId { get; set; }
    public Guid FolloweeId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
