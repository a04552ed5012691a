using System.ComponentModel;

namespace Matcha.Catalog.Movies;

/// <summary>A film in a list: enough for a poster card.</summary>
public record MovieSummary(
    int Id,
    IReadOnlyDictionary<string, string> Titles,
    string OriginalTitle,
    int? Year,
    DateOnly? ReleaseDate,
    bool Released,
    IReadOnlyList<string> Genres,
    IReadOnlyList<string> Countries,
    string? PosterUrl,
    MovieStats Stats,
    double Popularity)
{
    /// <summary>The film's ratings elsewhere (MovieLens): with popularity, the prior the home's rows are ordered by.</summary>
    public int PriorVotes { get; init; }
}

/// <summary>Rating statistics, fed by Ratings' events; <see cref="Average"/> is null before the first rating.</summary>
public sealed record MovieStats(double? Average, int Count, IReadOnlyList<int> Histogram, int Wishes, int Comments);

/// <summary>A film's page. Immutable, so HybridCache hands out the cached instance instead of deserializing a copy per hit.</summary>
[ImmutableObject(true)]
public sealed record MovieDetail(
    int Id,
    IReadOnlyDictionary<string, string> Titles,
    string OriginalTitle,
    string OriginalLanguage,
    int? Year,
    DateOnly? ReleaseDate,
    bool Released,
    int? Runtime,
    IReadOnlyList<string> Genres,
    IReadOnlyList<string> Countries,
    IReadOnlyDictionary<string, string> Synopsis,
    string? PosterUrl,
    ExternalIds ExternalIds,
    IReadOnlyList<CreditView> Credits,
    MovieStats Stats,
    double Popularity,
    int Version);

public sealed record ExternalIds(string? Imdb, int? Tmdb, int? MovieLens);

public sealed record CreditView(int PersonId, IReadOnlyDictionary<string, string> Names, string Role, string? Character, int? Order);

internal static class MovieViews
{
    public static MovieStats Stats(Movie m) => Stats(m.AverageRating, m.RatingCount, m.Histogram, m.WishCount, m.CommentCount);

    public static MovieStats Stats(double average, int count, int[] histogram, int wishes, int comments) =>
        new(count > 0 ? Math.Round(average, 2) : null, count, histogram, wishes, comments);

    public static MovieSummary ToSummary(this Movie m, DateOnly today) => new(
        m.Id, Titles(m), m.OriginalTitle, m.Year > 0 ? m.Year : null, m.ReleaseDate, m.IsReleased(today),
        m.Genres, m.Countries, m.PosterUrl, Stats(m), m.Popularity) { PriorVotes = m.PriorVotes };

    public static MovieDetail ToDetail(this Movie m, DateOnly today) => new(
        m.Id, Titles(m), m.OriginalTitle, m.OriginalLanguage, m.Year > 0 ? m.Year : null, m.ReleaseDate, m.IsReleased(today),
        m.Runtime, m.Genres, m.Countries, Synopsis(m), m.PosterUrl, new ExternalIds(m.ImdbId, m.TmdbId, m.MovieLensId),
        [.. m.Credits
            .OrderBy(c => c.Role)
            .ThenBy(c => c.Order ?? int.MaxValue)
            .Select(c => new CreditView(
                c.PersonId,
                c.Person?.Names.ToDictionary(n => n.Language, n => n.Name) ?? [],
                c.Role.ToString().ToLowerInvariant(),
                c.Character,
                c.Order))],
        Stats(m), m.Popularity, m.Version);

    private static Dictionary<string, string> Titles(Movie m) => m.Titles.ToDictionary(t => t.Language, t => t.Title);

    private static Dictionary<string, string> Synopsis(Movie m)
    {
        var synopsis = new Dictionary<string, string>();
        if (m.SynopsisEn is { } en)
        {
            synopsis["en"] = en;
        }
        if (m.SynopsisKo is { } ko)
        {
            synopsis["ko"] = ko;
        }
        return synopsis;
    }
}
