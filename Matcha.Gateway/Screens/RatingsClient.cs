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

    public Task<Part<Page<Prediction>>> GetRecommendationsAsync(int limit, ClaimsPrincipal caller, CancellationToken ct) =>
        reader.GetAsync<Page<Prediction>>(Service, $"/me/recommendations?limit={limit}", caller, ct);

    public Task<Part<Page<Prediction>>> GetPredictionsAsync(IEnumerable<int> movieIds, ClaimsPrincipal caller, CancellationToken ct) =>
        reader.GetAsync<Page<Prediction>>(Service, $"/me/predictions?movieIds={Ids(movieIds)}", caller, ct);

    public Task<Part<Prediction>> GetPredictionAsync(int movieId, ClaimsPrincipal caller, CancellationToken ct) =>
        reader.GetAsync<Prediction>(Service, $"/me/predictions/{movieId}", caller, ct);

    public Task<Part<Page<MyFilmState>>> GetMyFilmStatesAsync(IEnumerable<int> movieIds, ClaimsPrincipal caller, CancellationToken ct) =>
        reader.GetAsync<Page<MyFilmState>>(Service, $"/me/movies?ids={Ids(movieIds)}", caller, ct);

    public Task<Part<MyFilm>> GetMyFilmAsync(int movieId, ClaimsPrincipal caller, CancellationToken ct) =>
        reader.GetAsync<MyFilm>(Service, $"/me/movies/{movieId}", caller, ct);

    public Task<Part<Page<Comment>>> GetMostLikedCommentsAsync(int movieId, int count, ClaimsPrincipal caller, CancellationToken ct) =>
        reader.GetAsync<Page<Comment>>(Service, $"/movies/{movieId}/comments?sort=likes&pageSize={count}", caller, ct);

    public Task<Part<Page<MyListItem>>> GetMyRatingsAsync(int count, ClaimsPrincipal caller, CancellationToken ct) =>
        reader.GetAsync<Page<MyListItem>>(Service, $"/me/ratings?pageSize={count}", caller, ct);

    public Task<Part<Page<MyListItem>>> GetMyWishlistAsync(int count, ClaimsPrincipal caller, CancellationToken ct) =>
        reader.GetAsync<Page<MyListItem>>(Service, $"/me/wishlist?pageSize={count}", caller, ct);

    public Task<Part<Page<MyListItem>>> GetMyCommentsAsync(int count, ClaimsPrincipal caller, CancellationToken ct) =>
        reader.GetAsync<Page<MyListItem>>(Service, $"/me/comments?pageSize={count}", caller, ct);

    public Task<Part<JsonObject>> GetMyTasteAsync(ClaimsPrincipal caller, CancellationToken ct) =>
        reader.GetAsync<JsonObject>(Service, "/me/taste", caller, ct);

    private static string Ids(IEnumerable<int> ids) => string.Join(',', ids.Select(id => id.ToString(CultureInfo.InvariantCulture)));
}

/// <summary>A rating predicted for the caller, whether it is personal or a fallback, and how many of their ratings it rests on.</summary>
internal sealed record Prediction(int MovieId, double Predicted, string Basis, int RatingCount);

/// <summary>The caller's score and wish for one film, as a batch read gives them.</summary>
internal sealed record MyFilmState(int MovieId, double? Score, string? Wish);

/// <summary>The caller's own state for a film's page; the comments they liked mark the comment list.</summary>
internal sealed record MyFilm
{
    public IReadOnlyList<long>? LikedCommentIds { get; init; }

    /// <summary>Ratings' other fields (score, wish, their comment), passed on as Ratings wrote them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? More { get; init; }
}

/// <summary>A comment on a film's page; for a signed-in caller, whether it is theirs and whether they liked it.</summary>
internal sealed record Comment
{
    public required long Id { get; init; }

    public string? UserId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Mine { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? LikedByMe { get; init; }

    /// <summary>Ratings' other fields (text, spoiler, likes, dates), passed on as Ratings wrote them.</summary>
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
