using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matcha.Gateway.Screens;

/// <summary>
/// The caller's own page: their ratings, wishlist and comments (Ratings), each row with the film
/// it names (Catalog), and their taste analysis as Ratings computed it.
/// </summary>
internal sealed record MyScreen(
    IReadOnlyList<MyListItem>? Ratings,
    IReadOnlyList<MyListItem>? Wishlist,
    IReadOnlyList<MyListItem>? Comments,
    JsonObject? Taste,
    IReadOnlyList<string> Unavailable,
    IReadOnlyDictionary<string, string> Reasons)
{
    private const int RowsPerList = 30;

    public static async Task<Ok<MyScreen>> GetAsync(ClaimsPrincipal user, CatalogClient catalog, RatingsClient ratings, CancellationToken ct)
    {
        var unavailable = new Unavailable();
        var myRatings = ratings.GetMyRatingsAsync(RowsPerList, user, ct);
        var wishlist = ratings.GetMyWishlistAsync(RowsPerList, user, ct);
        var comments = ratings.GetMyCommentsAsync(RowsPerList, user, ct);
        var taste = ratings.GetMyTasteAsync(user, ct);
        await Task.WhenAll(myRatings, wishlist, comments, taste);
        var lists = new[] { myRatings.Result, wishlist.Result, comments.Result }
            .Select(part => unavailable.Take("ratings", part)?.Items)
            .ToArray();

        // Each list names films by id; the films themselves come from Catalog, read in parallel (it caches each one).
        var ids = lists.OfType<IReadOnlyList<MyListItem>>().SelectMany(list => list.Select(item => item.MovieId)).Distinct().ToList();
        var films = await Task.WhenAll(ids.Select(id => catalog.GetMovieAsync(id, user, ct)));
        var byId = new Dictionary<int, Film?>();
        for (var i = 0; i < ids.Count; i++)
        {
            byId[ids[i]] = unavailable.Take("catalog", films[i])?.Card();
        }
        var rows = lists
            .Select(list => list is null ? null : (IReadOnlyList<MyListItem>)[.. list.Select(item => item with { Movie = byId.GetValueOrDefault(item.MovieId) })])
            .ToArray();
        return TypedResults.Ok(new MyScreen(rows[0], rows[1], rows[2], unavailable.Take("ratings", taste.Result), unavailable.Names, unavailable.Reasons));
    }
}
