namespace Matcha.Social.Members;

/// <summary>
/// Social's copy of an account: the display name Accounts announced, and the public handle
/// that profiles, follows and links use, so no internal user id ever leaves the service.
/// </summary>
public sealed class Member
{
    /// <summary>Accounts' limit, kept here so a longer name never fails the copy.</summary>
    public const int MaxDisplayNameLength = 50;

    public Guid UserId { get; set; }

    /// <summary>Random, minted when the member is first seen; shown in profile URLs.</summary>
    public Guid Handle { get; set; }

    public required string DisplayName { get; set; }

    /// <summary>The version of the last Accounts event applied (the consumer drops older ones).</summary>
    public long Version { get; set; }

    public DateTimeOffset JoinedAt { get; set; }

    /// <summary>A private profile shows others the name and the follow counts only (docs/security.md, "Who sees what").</summary>
    public bool IsPrivate { get; set; }

    /// <summary>Counts the member's privacy changes: the version of <see cref="MemberPrivacyChanged"/>, apart from the name's.</summary>
    public long PrivacyVersion { get; set; }
}
