using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Matcha.Tests.Catalog;

/// <summary>
/// What a product owner checks in the default catalogue (Matcha.Catalog/Seed/catalogue.json)
/// before it ships: enough real films, complete bilingual data, sound references and ids.
/// Reads the file only; no AppHost, no database.
/// </summary>
public sealed partial class DefaultCatalogueTests
{
    private static readonly HashSet<string> GenreVocabulary =
    [
        "action", "adventure", "animation", "comedy", "crime", "documentary", "drama", "family", "fantasy",
        "history", "horror", "music", "musical", "mystery", "romance", "science-fiction", "thriller", "war",
        "western", "sport", "biography", "film-noir",
    ];

    private static readonly Lazy<JsonElement> Catalogue = new(LoadCatalogue);

    private static IEnumerable<JsonElement> Movies => Catalogue.Value.GetProperty("movies").EnumerateArray();

    private static IEnumerable<JsonElement> People => Catalogue.Value.GetProperty("people").EnumerateArray();

    [Fact]
    public void TheVersionCatalogueChecksAtEveryStartIsTheShippedFilesVersion()
    {
        // Each start reads only the version to find the catalogue loaded; a wrong one would load it again, or never.
        var shipped = Catalogue.Value.GetProperty("version").GetInt32();

        Assert.Equal(shipped, Matcha.Catalog.Seed.CatalogueFile.ReadVersion());
        Assert.Equal(shipped, Matcha.Catalog.Seed.CatalogueFile.Load().Version);
    }

    [Fact]
    public void ShipsAtLeastThreeHundredFilmsOfWhichSixtyKorean()
    {
        var films = Movies.ToList();
        var korean = films.Count(m => Strings(m, "countries").Contains("KR"));

        Assert.True(films.Count >= 300, $"the default catalogue ships {films.Count} films; at least 300 are expected");
        Assert.True(korean >= 60, $"the default catalogue ships {korean} Korean films; at least 60 are expected");
    }

    [Fact]
    public void EveryFilmHasKoreanAndEnglishTitlesAndAnOriginalTitle()
    {
        var incomplete = Movies
            .Where(m => Text(m.GetProperty("titles"), "ko") is null
                || Text(m.GetProperty("titles"), "en") is null
                || Text(m, "originalTitle") is null
                || Text(m, "originalLanguage") is null)
            .Select(Key)
            .ToList();

        Assert.Empty(incomplete);
    }

    [Fact]
    public void EveryFilmHasAYearAndAReleaseDateInThatYear()
    {
        var inconsistent = Movies
            .Where(m =>
            {
                var date = Text(m, "releaseDate");
                return m.GetProperty("year").ValueKind != JsonValueKind.Number
                    || date is null
                    || !DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var released)
                    || released.Year != m.GetProperty("year").GetInt32();
            })
            .Select(Key)
            .ToList();

        Assert.Empty(inconsistent);
    }

    [Fact]
    public void EveryFilmHasAPositiveRuntime()
    {
        var withoutRuntime = Movies
            .Where(m => m.GetProperty("runtime").ValueKind != JsonValueKind.Number || m.GetProperty("runtime").GetInt32() <= 0)
            .Select(Key)
            .ToList();

        Assert.Empty(withoutRuntime);
    }

    [Fact]
    public void EveryFilmHasGenresAndAllOfThemComeFromTheVocabulary()
    {
        var offending = Movies
            .Where(m => Strings(m, "genres") is var genres && (genres.Count == 0 || !genres.All(GenreVocabulary.Contains)))
            .Select(Key)
            .ToList();

        Assert.Empty(offending);
    }

    [Fact]
    public void TheGenreListNamesEveryGenreOfTheVocabularyInEnglishAndKorean()
    {
        var named = Catalogue.Value.GetProperty("genres").EnumerateArray()
            .Where(g => Text(g.GetProperty("names"), "en") is not null && Text(g.GetProperty("names"), "ko") is not null)
            .Select(g => g.GetProperty("id").GetString()!)
            .ToHashSet();

        Assert.Empty(GenreVocabulary.Except(named));
        Assert.Empty(named.Except(GenreVocabulary));
    }

    [Fact]
    public void EveryFilmHasAtLeastOneProductionCountryAsAnIsoCode()
    {
        var offending = Movies
            .Where(m => Strings(m, "countries") is var countries && (countries.Count == 0 || !countries.All(c => CountryCode().IsMatch(c))))
            .Select(Key)
            .ToList();

        Assert.Empty(offending);
    }

    [Fact]
    public void EveryFilmHasADirector()
    {
        var withoutDirector = Movies
            .Where(m => !Credits(m).Any(c => c.GetProperty("role").GetString() == "director"))
            .Select(Key)
            .ToList();

        Assert.Empty(withoutDirector);
    }

    [Fact]
    public void EveryFilmHasASynopsisInEnglishAndKorean()
    {
        var withoutSynopsis = Movies
            .Where(m => !m.TryGetProperty("synopsis", out var synopsis)
                || synopsis.ValueKind != JsonValueKind.Object
                || Text(synopsis, "en") is null
                || Text(synopsis, "ko") is null)
            .Select(Key)
            .ToList();

        Assert.Empty(withoutSynopsis);
    }

    [Fact]
    public void FilmKeysAndPersonIdsAreUnique()
    {
        var duplicateKeys = Duplicates(Movies.Select(Key));
        var duplicatePeople = Duplicates(People.Select(p => p.GetProperty("id").GetString()!));

        Assert.Empty(duplicateKeys);
        Assert.Empty(duplicatePeople);
    }

    [Fact]
    public void EveryPersonHasAKoreanAndAnEnglishName()
    {
        var unnamed = People
            .Where(p => Text(p.GetProperty("names"), "en") is null || Text(p.GetProperty("names"), "ko") is null)
            .Select(p => p.GetProperty("id").GetString())
            .ToList();

        Assert.Empty(unnamed);
    }

    [Fact]
    public void EveryCreditReferencesAPersonInTheCatalogue()
    {
        var people = People.Select(p => p.GetProperty("id").GetString()!).ToHashSet();

        var dangling = Movies
            .SelectMany(m => Credits(m).Select(c => (Film: Key(m), Person: c.GetProperty("person").GetString()!)))
            .Where(c => !people.Contains(c.Person))
            .Select(c => $"{c.Film} -> {c.Person}")
            .ToList();

        Assert.Empty(dangling);
    }

    [Fact]
    public void CastCreditsHaveDistinctBillingOrders()
    {
        var offending = Movies
            .Where(m =>
            {
                var cast = Credits(m).Where(c => c.GetProperty("role").GetString() == "cast").ToList();
                var orders = cast
                    .Where(c => c.TryGetProperty("order", out var order) && order.ValueKind == JsonValueKind.Number)
                    .Select(c => c.GetProperty("order").GetInt32())
                    .ToList();
                return orders.Count != cast.Count || orders.Distinct().Count() != orders.Count;
            })
            .Select(Key)
            .ToList();

        Assert.Empty(offending);
    }

    [Fact]
    public void EveryImdbIdIsWellFormedAndBelongsToOneFilmOnly()
    {
        var ids = Movies.Select(m => (Film: Key(m), Imdb: Text(m, "imdbId"))).Where(m => m.Imdb is not null).ToList();

        var malformed = ids.Where(m => !ImdbId().IsMatch(m.Imdb!)).Select(m => $"{m.Film}: {m.Imdb}").ToList();
        var shared = Duplicates(ids.Select(m => m.Imdb!));

        Assert.Empty(malformed);
        Assert.Empty(shared);
    }

    [Fact]
    public void AtLeastNinetyPercentOfFilmsHaveAnImdbId()
    {
        var films = Movies.ToList();
        var withImdb = films.Count(m => Text(m, "imdbId") is not null);

        Assert.True(withImdb * 10 >= films.Count * 9, $"{withImdb} of {films.Count} films have an IMDb id; at least 90% are expected");
    }

    [Fact]
    public void EveryFilmInMovieLensHasItsImdbAndTmdbIds()
    {
        // Where the other MovieLens tests read it (MATCHA_MOVIELENS_SMALL in a worktree).
        var linksPath = Path.Combine(MovieLensData.SmallFolder(), "links.csv");
        if (!File.Exists(linksPath))
        {
            Assert.Fail($"The MovieLens links file is expected at {linksPath}; it is needed to check the catalogue's MovieLens ids.");
        }

        var links = ReadMovieLensLinks(linksPath);
        var mismatches = new List<string>();
        foreach (var movie in Movies.Where(m => m.TryGetProperty("movieLensId", out var id) && id.ValueKind == JsonValueKind.Number))
        {
            var movieLensId = movie.GetProperty("movieLensId").GetInt32();
            if (!links.TryGetValue(movieLensId, out var expected))
            {
                mismatches.Add($"{Key(movie)}: MovieLens has no film {movieLensId}");
                continue;
            }

            var imdb = Text(movie, "imdbId");
            int? tmdb = movie.GetProperty("tmdbId").ValueKind == JsonValueKind.Number ? movie.GetProperty("tmdbId").GetInt32() : null;
            if (imdb != expected.Imdb || tmdb != expected.Tmdb)
            {
                mismatches.Add($"{Key(movie)}: has {imdb}/{tmdb}, MovieLens {movieLensId} says {expected.Imdb}/{expected.Tmdb}");
            }
        }

        Assert.Empty(mismatches);
    }

    private static Dictionary<int, (string Imdb, int? Tmdb)> ReadMovieLensLinks(string path)
    {
        var links = new Dictionary<int, (string Imdb, int? Tmdb)>();
        foreach (var line in File.ReadLines(path).Skip(1).Where(l => l.Length > 0))
        {
            var fields = line.Split(',');
            var imdb = "tt" + int.Parse(fields[1], CultureInfo.InvariantCulture).ToString("D7", CultureInfo.InvariantCulture);
            int? tmdb = fields.Length > 2 && fields[2].Length > 0 ? int.Parse(fields[2], CultureInfo.InvariantCulture) : null;
            links[int.Parse(fields[0], CultureInfo.InvariantCulture)] = (imdb, tmdb);
        }
        return links;
    }

    private static JsonElement LoadCatalogue()
    {
        var path = Path.Combine(RepositoryRoot(), "Matcha.Catalog", "Seed", "catalogue.json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return document.RootElement.Clone();
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Matcha.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new DirectoryNotFoundException($"Matcha.sln was not found above {AppContext.BaseDirectory}.");
    }

    private static string Key(JsonElement movie) => movie.GetProperty("key").GetString()!;

    private static JsonElement.ArrayEnumerator Credits(JsonElement movie) => movie.GetProperty("credits").EnumerateArray();

    private static List<string> Strings(JsonElement element, string property) =>
        [.. element.GetProperty(property).EnumerateArray().Select(e => e.GetString() ?? string.Empty)];

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()
            : null;

    private static List<string> Duplicates(IEnumerable<string> values) =>
        [.. values.GroupBy(v => v, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key)];

    [GeneratedRegex(@"^tt\d{7,8}$")]
    private static partial Regex ImdbId();

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex CountryCode();
}
