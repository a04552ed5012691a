namespace Matcha.Ratings.Movies;

/// <summary>
/// Ratings' own copy of the film facts it needs, fed by Catalog's MovieChanged and
/// MovieRemoved events; Catalog's database is never read.
/// </summary>
public sealed class Movie
{
    public int Id { get; set; }
    public DateOnly? ReleaseDate { get; set; }
    public List<string> Genres { get; set; } = [];
    public List<int> PeopleIds { get; set; } = [];
    public long Version { get; set; }
    public DateTimeOffset? RemovedAt { get; set; }

    /// <summary>A film without a known release date is treated as released: Catalog lists it as watchable.</summary>
    public bool IsReleasedOn(DateOnly day) => ReleaseDate is not { } release || release <= day;
}
