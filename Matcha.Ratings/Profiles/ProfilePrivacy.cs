namespace Matcha.Ratings.Profiles;

/// <summary>
/// Ratings' copy of whether a member's profile is private, as Social last announced it: Ratings
/// then refuses the member's ratings, comments and taste summary to everyone else. Kept apart
/// from <see cref="Authors.Author"/> because Social's announcement may arrive before Accounts'.
/// </summary>
public sealed class ProfilePrivacy
{
    public Guid UserId { get; set; }

    public bool IsPrivate { get; set; }

    /// <summary>The version of the last Social event applied (the consumer drops older ones).</summary>
    public long Version { get; set; }
}
