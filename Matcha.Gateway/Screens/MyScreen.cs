using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matcha.Gateway.Screens;

/// <summary>
/// The caller's own page: their ratings, wishlist and comments and their taste analysis (one
/// request to Ratings), each row with the card of the film it names (one batch request to Catalog).
/// </summary>
internal sealed record MyScreen(
    IReadOnlyList<MyListItem>? Ratings,
    IReadOnlyList<MyListItem>? Wishlist,
    IReadOnlyList<MyListItem>? Comments,
    JsonObject? Taste,
    IReadOnlyList<string> Unavailable,
    IReadOnlyDictionary<string, string> Reasons)
{
    /// <summary>Three lists of this many rows name at most 90 films: one batch read of cards.</summary>
    private const int RowsPerList = 30;

    public static async Task<Ok<MyScreen>> GetAsync(ClaimsPrincipal user, CatalogClient catalog, RatingsClient ratings, CancellationToken ct)
    {
        var unavailable = new Unavailable();
        var overview = unavailable.Take("ratings", await ratings.GetMyOverviewAsync(RowsPerList, user, ct));
        IReadOnlyList<MyListItem>?[] lists = overview is null ? [null, null, null] : [overview.Ratings.Items, overview.Wishlist.Items, overview.Comments.Items];

        var ids = lists.OfType<IReadOnlyList<MyListItem>>().SelectMany(list => list.Select(item => item.MovieId)).Distinct().Take(CatalogClient.MaxBatch).ToList();
        var cards = new Dictionary<int, Film>();
        if (ids.Count > 0 && unavailable.Take("catalog", await catalog.GetFilmCardsAsync(ids, user, ct)) is { } found)
        {
            cards = found.Items.ToDictionary(film => film.Id, film => film.Card());
        }
        var rows = lists
            .Select(list => list is null ? null : (IReadOnlyList<MyListItem>)[.. list.Select(item => item with { Movie = cards.GetValueOrDefault(item.MovieId) })])
            .ToArray();
        return TypedResults.Ok(new MyScreen(rows[0], rows[1], rows[2], overview?.Taste, unavailable.Names, unavailable.Reasons));
    }
}
