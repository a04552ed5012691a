namespace Matcha.Ratings.Authors;

/// <summary>
/// Ratings' copy of an account's public face, so comments name their author without a call to
/// Accounts and without showing the internal user id: the display name and the handle that
/// profile links use, as Accounts last announced them.
/// </summary>
public sealed class Author
{
    /// <summary>Accounts' limit, kept here so a longer name never fails the copy.</summary>
    public const int MaxDisplayNameLength = 50;

    public Guid UserId { get; set; }

    public Guid Handle { get; set; }

    public required string DisplayName { get; set; }

    /// <summary>The version of the last Accounts event applied (the consumer drops older ones).</summary>
    public long Version { get; set; }
}

/// <summary>A comment's author as clients see it: a name and a profile handle, never a user id.</summary>
public sealed record AuthorView(Guid Handle, string DisplayName);
