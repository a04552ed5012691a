using System.Text.RegularExpressions;

namespace Matcha.Catalog.Movies;

/// <summary>The body of an admin's create or update of a film.</summary>
public sealed record MovieInput(
    Dictionary<string, string>? Titles,
    string? OriginalTitle,
    string? OriginalLanguage,
    int? Year,
    DateOnly? ReleaseDate,
    int? Runtime,
    List<string>? Genres,
    List<string>? Countries,
    Dictionary<string, string>? Synopsis,
    string? PosterUrl,
    string? ImdbId,
    int? TmdbId,
    int? Version)
{
    /// <summary>Problems keyed by the field they are about; empty when the input is valid.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        void Fail(string field, string message) => errors[field] = [message];

        if (Titles is not { Count: > 0 } || Titles.Any(t => !IsLanguage(t.Key) || string.IsNullOrWhiteSpace(t.Value) || t.Value.Length > Movie.MaxTitleLength))
        {
            Fail("titles", $"titles maps language codes (e.g. ko, en) to titles of 1 to {Movie.MaxTitleLength} characters; at least one.");
        }
        if (string.IsNullOrWhiteSpace(OriginalTitle) || OriginalTitle.Length > Movie.MaxTitleLength)
        {
            Fail("originalTitle", $"originalTitle is required, at most {Movie.MaxTitleLength} characters.");
        }
        if (OriginalLanguage is null || !IsLanguage(OriginalLanguage))
        {
            Fail("originalLanguage", "originalLanguage is a two- or three-letter language code, e.g. ko.");
        }
        if (Year is not (>= 1870 and <= 2100))
        {
            Fail("year", "year is required, between 1870 and 2100.");
        }
        if (ReleaseDate is { } date && Year is { } year && Math.Abs(date.Year - year) > 1)
        {
            Fail("releaseDate", "releaseDate must fall in the film's year (or the one next to it).");
        }
        if (Runtime is < 1 or > 1000)
        {
            Fail("runtime", "runtime is in minutes, 1 to 1000.");
        }
        if (Genres is null || Genres.Count == 0 || Genres.Any(g => !Movies.Genres.IsKnown(g)))
        {
            Fail("genres", $"genres must be one or more of: {string.Join(", ", Movies.Genres.All.Keys)}.");
        }
        if (Countries is null || Countries.Count == 0 || Countries.Any(c => c.Length != 2 || !c.All(char.IsAsciiLetterUpper)))
        {
            Fail("countries", "countries must be one or more ISO 3166-1 alpha-2 codes in capitals, e.g. KR.");
        }
        if (Synopsis is not null && Synopsis.Any(s => s.Key is not ("en" or "ko") || s.Value.Length > Movie.MaxSynopsisLength))
        {
            Fail("synopsis", $"synopsis maps en and/or ko to at most {Movie.MaxSynopsisLength} characters.");
        }
        if (PosterUrl is not null && (!Uri.TryCreate(PosterUrl, UriKind.Absolute, out var poster) || poster.Scheme != Uri.UriSchemeHttps))
        {
            Fail("posterUrl", "posterUrl must be an absolute https URL.");
        }
        if (ImdbId is not null && !ImdbPattern.IsMatch(ImdbId))
        {
            Fail("imdbId", "imdbId looks like tt0123456.");
        }
        if (TmdbId is < 1)
        {
            Fail("tmdbId", "tmdbId is a positive number.");
        }
        return errors;
    }

    /// <summary>Copies the input onto <paramref name="movie"/>; credits and statistics are left alone.</summary>
    public void ApplyTo(Movie movie)
    {
        movie.Titles = [.. Titles!.Select(t => new MovieTitle { Language = t.Key, Title = t.Value.Trim() })];
        movie.OriginalTitle = OriginalTitle!.Trim();
        movie.OriginalLanguage = OriginalLanguage!;
        movie.Year = Year!.Value;
        movie.ReleaseDate = ReleaseDate;
        movie.Runtime = Runtime;
        movie.Genres = [.. Genres!.Distinct()];
        movie.Countries = [.. Countries!.Distinct()];
        movie.SynopsisEn = Synopsis?.GetValueOrDefault("en");
        movie.SynopsisKo = Synopsis?.GetValueOrDefault("ko");
        movie.PosterUrl = PosterUrl;
        movie.ImdbId = ImdbId;
        movie.TmdbId = TmdbId;
    }

    private static bool IsLanguage(string code) => code.Length is 2 or 3 && code.All(char.IsAsciiLetterLower);

    private static readonly Regex ImdbPattern = new(@"^tt\d{7,8}$", RegexOptions.Compiled);
}

/// <summary>One credit in <c>PUT /movies/{id}/credits</c>.</summary>
public sealed record CreditInput(int PersonId, string? Role, string? Character, int? Order);
