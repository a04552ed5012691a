using System.Diagnostics.CodeAnalysis;

namespace Matcha.Social.Collections;

/// <summary>
/// A member's titled, ordered list of films. A private one is seen by its owner only; a public one
/// by every member, and films added to it reach the owner's followers' feeds.
/// </summary>
[SuppressMessage("Naming", "CA1711", Justification = "The domain's word: a member's collection of films, not a .NET collection type.")]
public sealed class Collection
{
    public const int MaxTitleLength = 100;
    public const int MaxDescriptionLength = 1000;
    public const int MaxFilms = 500;

    /// <summary>Random (version 7, so newer ones sort later): shown in URLs, and pages a member's list.</summary>
    public Guid Id { get; set; }
    public Guid OwnerId { get; set; }
    public required string Title { get; set; }
    public string Description { get; set; } = "";
    public bool IsPublic { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A film in a collection at its place; places run 0, 1, 2… without gaps.</summary>
public sealed class CollectionFilm
{
    public Guid CollectionId { get; set; }
    public int MovieId { get; set; }
    public int Position { get; set; }
    public DateTimeOffset AddedAt { get; set; }
}

/// <summary>A member liking someone else's collection.</summary>
public sealed class CollectionLike
{
    public Guid CollectionId { get; set; }
    public Guid UserId { get; set; }
    public DateTimeOffset LikedAt { get; set; }
}
