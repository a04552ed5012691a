using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Matcha.Gateway.Screens;

/// <summary>Catalog as the screens read it: its paths, and the fields of its documents that a screen reads or adds to.</summary>
internal sealed class CatalogClient(ServiceReader reader, CatalogCardsReader cards)
{
    private const string Service = "catalog";

    public Task<Part<Ranking>> GetRankingAsync(string kind, int limit, ClaimsPrincipal caller, CancellationToken ct) =>
        reader.GetAsync<Ranking>(Service, $"/rankings/{kind}?limit={limit}", caller, ct);

    public Task<Part<Page<Film>>> GetPopularReleasedFilmsAsync(int count, ClaimsPrincipal caller, CancellationToken ct) =>
        reader.GetAsync<Page<Film>>(Service, $"/movies?sort=popularity&released=true&pageSize={count}", caller, ct);

    public Task<Part<ShelfSet>> GetShelvesAsync(int limit, ClaimsPrincipal caller, CancellationToken ct) =>
        reader.GetAsync<ShelfSet>(Service, $"/shelves?limit={limit}", caller, ct);

    public Task<Part<Page<Film>>> GetRateToStartFilmsAsync(int limit, ClaimsPrincipal caller, CancellationToken ct) =>
        reader.GetAsync<Page<Film>>(Service, $"/rate-to-start?limit={limit}", caller, ct);

    public Task<Part<Film>> GetMovieAsync(int id, ClaimsPrincipal caller, CancellationToken ct) =>
        reader.GetAsync<Film>(Service, $"/movies/{id}", caller, ct);

    public Task<Part<Person>> GetPersonAsync(int id, ClaimsPrincipal caller, CancellationToken ct) =>
        reader.GetAsync<Person>(Service, $"/people/{id}", caller, ct);

    public Task<Part<GraphQL.SearchHits>> SearchAsync(string query, ClaimsPrincipal caller, CancellationToken ct) =>
        reader.GetAsync<GraphQL.SearchHits>(Service, $"/search?q={Uri.EscapeDataString(query)}", caller, ct);

    /// <summary>Catalog takes at most this many ids in one batch read.</summary>
    public const int MaxBatch = 100;

    /// <summary>
    /// The cards of up to <see cref="MaxBatch"/> films in one call, in the order asked; unknown ids are left out.
    /// Over gRPC (<see cref="CatalogCardsReader"/>), which needs a signed-in caller; an anonymous one reads the public REST batch.
    /// </summary>
    public Task<Part<Page<Film>>> GetFilmCardsAsync(IEnumerable<int> ids, ClaimsPrincipal caller, CancellationToken ct) =>
        caller.IsSignedIn()
            ? cards.GetFilmCardsAsync(ids, caller, ct)
            : reader.GetAsync<Page<Film>>(Service, $"/movies/cards?ids={string.Join(',', ids.Select(id => id.ToString(CultureInfo.InvariantCulture)))}", caller, ct);
}

/// <summary>
/// A film as a screen shows it: Catalog's card or page, and what the screen adds for the caller
/// (their own score, or the rating predicted for them and on what basis), left out when there is none.
/// </summary>
internal sealed record Film
{
    public required int Id { get; init; }

    public IReadOnlyDictionary<string, string>? Titles { get; init; }

    public string? OriginalTitle { get; init; }

    public int? Year { get; init; }

    public string? PosterUrl { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? MyScore { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Predicted { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Basis { get; init; }

    /// <summary>How many of the caller's ratings the prediction rests on (0: everyone's, none of theirs).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? PredictedFrom { get; init; }

    /// <summary>Catalog's other fields (genres, stats, credits on a film's page…), passed on as Catalog wrote them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? More { get; init; }

    /// <summary>What a list row needs of a film.</summary>
    public Film Card() => new() { Id = Id, Titles = Titles, OriginalTitle = OriginalTitle, Year = Year, PosterUrl = PosterUrl };
}

internal sealed record Ranking(string Kind, IReadOnlyList<Film> Items);

/// <summary>A home row that needs no ratings (new releases, Korean films, a genre), with its heading in each language.</summary>
internal sealed record Shelf(string Id, IReadOnlyDictionary<string, string> Names, IReadOnlyList<Film> Items);

internal sealed record ShelfSet(IReadOnlyList<Shelf> Shelves);

internal sealed record Person(int Id, IReadOnlyDictionary<string, string> Names, IReadOnlyList<FilmographyEntry> Filmography);

internal sealed record FilmographyEntry(Film Movie, string Role, string? Character);
