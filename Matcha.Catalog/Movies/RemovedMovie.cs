namespace Matcha.Catalog.Movies;

/// <summary>
/// A film that was deleted from the catalogue. Kept so that a rating Ratings accepted from its
/// stale copy can be told apart from a rating of a film Catalog never had, and rejected.
/// </summary>
public sealed class RemovedMovie
{
    public int MovieId { get; set; }
    public DateTimeOffset RemovedAt { get; set; }
}
