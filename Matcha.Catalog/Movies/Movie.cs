namespace Matcha.Catalog.Movies;

/// <summary>A film: facts from the catalogue, and statistics that arrive from Ratings' events.</summary>
public sealed class Movie
{
    public const int MaxTitleLength = 300;
    public const int MaxSynopsisLength = 2000;

    public int Id { get; set; }

    /// <summary>The curated catalogue's slug (e.g. <c>parasite-2019</c>); null for imported films.</summary>
    public string? Key { get; set; }
    public string? ImdbId { get; set; }
    public int? TmdbId { get; set; }
    public int? MovieLensId { get; set; }

    public required string OriginalLanguage { get; set; }
    public required string OriginalTitle { get; set; }
    public List<MovieTitle> Titles { get; set; } = [];
    /// <summary>0 when unknown (some imported films), so that the year sort has no nulls.</summary>
    public int Year { get; set; }
    public DateOnly? ReleaseDate { get; set; }
    public int? Runtime { get; set; }
    public List<string> Genres { get; set; } = [];
    public List<string> Countries { get; set; } = [];
    public string? SynopsisEn { get; set; }
    public string? SynopsisKo { get; set; }
    public string? PosterUrl { get; set; }
    public List<Credit> Credits { get; set; } = [];

    /// <summary>Every title and the names of the directors and main cast, normalised for search.</summary>
    public string SearchText { get; set; } = "";

    /// <summary>Every title, normalised, for exact and prefix ranking.</summary>
    public List<string> TitleKeys { get; set; } = [];

    /// <summary>The English title (else the original), normalised: the key of the title sort.</summary>
    public string SortTitle { get; set; } = "";

    /// <summary>0 until the first rating arrives (see <see cref="RatingCount"/>).</summary>
    public double AverageRating { get; set; }
    public int RatingCount { get; set; }

    /// <summary>Counts of 0.5, 1.0, … 5.0 stars (ten buckets).</summary>
    public int[] Histogram { get; set; } = new int[10];
    public double Popularity { get; set; }

    /// <summary>
    /// How many ratings the film has elsewhere — MovieLens' ml-latest-small, for the default
    /// catalogue — so that before anyone here has rated anything, well-known films come first.
    /// </summary>
    public int PriorVotes { get; set; }

    /// <summary>Users whose wishlist says "want to watch" for this film.</summary>
    public int WishCount { get; set; }
    public int CommentCount { get; set; }

    /// <summary>Bumped by every write, carried by the events Catalog publishes.</summary>
    public int Version { get; set; } = 1;

    /// <summary>
    /// Released when the release date has passed; for an imported film with no known date, when
    /// its year is over. A film that is not released cannot be rated, only wished for.
    /// </summary>
    public bool IsReleased(DateOnly today) => IsReleased(ReleaseDate, Year, today);

    public static bool IsReleased(DateOnly? releaseDate, int year, DateOnly today) =>
        releaseDate is { } date ? date <= today : year > 0 && year < today.Year;

    public string TitleIn(string language) =>
        Titles.FirstOrDefault(t => t.Language == language)?.Title ?? OriginalTitle;
}

public sealed class MovieTitle
{
    public required string Language { get; set; }
    public required string Title { get; set; }
}

public enum CreditRole
{
    Director,
    Writer,
    Cast,
}

public sealed class Credit
{
    public int Id { get; set; }
    public int MovieId { get; set; }
    public int PersonId { get; set; }
    public People.Person? Person { get; set; }
    public CreditRole Role { get; set; }
    public string? Character { get; set; }
    public int? Order { get; set; }
}
