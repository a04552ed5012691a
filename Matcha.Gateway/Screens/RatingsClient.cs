using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Matcha.Gateway.Screens;

/// <summary>Ratings as the screens read it, always as the caller: its paths, and the fields of its documents that a screen reads or adds to.</summary>
internal sealed class RatingsClient(ServiceReader reader)
{
    private const string Service = "ratings";

    /// <summary>Ratings takes at most this many ids in one batch read; a screen shows fewer films than that.</summary>
    public const int MaxBatch = 100;

    /// <summary>
    /// My score, wishlist state and predicted rating for up to <see cref="MaxBatch"/> films, and,
    /// when <paramref name="recommendations"/> is given, that many of my recommendations: one request.
    /// </summary>
    public Task<Part<MyFilmStates>> GetMyFilmStatesAsync(
        IEnumerable<int> movieIds, ClaimsPrincipal caller, CancellationToken ct, int? recommendations = null) =>
        reader.GetAsync<MyFilmStates>(Service,
            $"/me/movies?ids={Ids(movieIds)}{(recommendations is { } count ? $"&recommendations={count}" : "")}", caller, ct);

    /// <summary>My state for a film's page, my predicted rating and its <paramref name="comments"/> most liked comments: one request.</summary>
    public Task<Part<MyFilm>> GetMyFilmAsync(int movieId, int comments, ClaimsPrincipal caller, CancellationToken ct) =>
        reader.GetAsync<MyFilm>(Service, $"/me/movies/{movieId}?comments={comments}", caller, ct);

    /// <summary>The first rows of my ratings, wishlist and comments, and my taste: one request.</summary>
    public Task<Part<MyOverview>> GetMyOverviewAsync(int rows, ClaimsPrincipal caller, CancellationToken ct) =>
        reader.GetAsync<MyOverview>(Service, $"/me/overview?rows={rows}", caller, ct);

    /// <summary>How many films I rated, and which of these I rated, have not seen or am not interested in: one request.</summary>
    public Task<Part<RateToStartState>> GetRateToStartStateAsync(IEnumerable<int> movieIds, ClaimsPrincipal caller, CancellationToken ct) =>
        reader.GetAsync<RateToStartState>(Service, $"/me/rate-to-start?ids={Ids(movieIds)}", caller, ct);

    private static string Ids(IEnumerable<int> ids) => string.Join(',', ids.Select(id => id.ToString(CultureInfo.InvariantCulture)));
}

/// <summary>A rating predicted for the caller, whether it is personal or a fallback, and how many of their ratings it rests on.</summary>
internal sealed record Prediction(int MovieId, double Predicted, string Basis, int RatingCount);

/// <summary>The caller's score, wish and predicted rating for one film, as a batch read gives them.</summary>
internal sealed record MyFilmState(int MovieId, double? Score, string? Wish, double? Predicted, string? Basis, int? RatingCount);

/// <summary>The caller's states for a list of films; <c>predicting</c> is false before the first model; recommendations when asked for.</summary>
internal sealed record MyFilmStates(IReadOnlyList<MyFilmState> Items, bool Predicting, IReadOnlyList<Prediction>? Recommendations);

/// <summary>Rate to start as Ratings sees it: how many films I rated; which of the films asked I am done with.</summary>
internal sealed record RateToStartState(int Rated, IReadOnlyList<int> Done);

/// <summary>The caller's page as Ratings gives it in one read.</summary>
internal sealed record MyOverview(Page<MyListItem> Ratings, Page<MyListItem> Wishlist, Page<MyListItem> Comments, JsonObject Taste);

/// <summary>The caller's own state for a film's page; the comments they liked mark the comment list.</summary>
internal sealed record MyFilm
{
    public IReadOnlyList<long>? LikedCommentIds { get; init; }

    /// <summary>Read from Ratings; the film screen shows it apart, as its own part.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Prediction? Prediction { get; init; }

    /// <summary>The film's most liked comments, read with the rest; the film screen shows them apart.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Page<Comment>? Comments { get; init; }

    /// <summary>Ratings' other fields (score, wish, their comment), passed on as Ratings wrote them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? More { get; init; }
}

/// <summary>A comment on a film's page (Ratings says whether it is the caller's); the screen adds whether they liked it.</summary>
internal sealed record Comment
{
    public required long Id { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? LikedByMe { get; init; }

    /// <summary>Ratings' other fields (author, mine, text, spoiler, likes, dates), passed on as Ratings wrote them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? More { get; init; }
}

/// <summary>A row of one of the caller's lists (ratings, wishlist, comments) and the film it names, null if Catalog could not say.</summary>
internal sealed record MyListItem
{
    public required int MovieId { get; init; }

    public Film? Movie { get; init; }

    /// <summary>Ratings' other fields (score, state, text…), passed on as Ratings wrote them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? More { get; init; }
}
