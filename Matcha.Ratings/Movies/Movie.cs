namespace Matcha.Ratings.Movies;

/// <summary>
/// Ratings' own copy of the film facts it needs, fed by Catalog's MovieChanged and
/// MovieRemoved events; Catalog's database is never read.
/// </summary>
public sealed class Movie
{
    public int Id { get; set; }
    public DateOnly? ReleaseDate { get; set; }

    /// <summary>0 when unknown.</summary>
    public int Year { get; set; }
    public List<string> Genres { get; set; } = [];
    public List<int> PeopleIds { get; set; } = [];

    /// <summary>The facts taste analysis reads (MovieChanged v2); empty or null in copies made from v1 events.</summary>
    public List<string> Countries { get; set; } = [];
    public int? Runtime { get; set; }
    public List<CreditedPerson> Directors { get; set; } = [];
    public List<CreditedPerson> Cast { get; set; } = [];
    public long Version { get; set; }
    public DateTimeOffset? RemovedAt { get; set; }

    /// <summary>Catalog's rule: released when the release date has passed; without a date, when its year is over.</summary>
    public bool IsReleasedOn(DateOnly day) => ReleaseDate is { } release ? release <= day : Year > 0 && Year < day.Year;
}

/// <summary>A person credited on a film, with the name Catalog gave (English where it has one).</summary>
public sealed record CreditedPerson(int Id, string Name);
