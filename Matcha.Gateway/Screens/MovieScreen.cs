using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matcha.Gateway.Screens;

/// <summary>
/// A film's page: Catalog's film for everyone; for a signed-in caller also their own state for it,
/// its most liked comments (each with its author's name, marked as theirs by Ratings and as liked by them here) and the rating predicted for them.
/// One request to each service, in parallel.
/// </summary>
internal sealed record MovieScreen(
    Film? Movie,
    bool SignedIn,
    MyFilm? Mine,
    IReadOnlyList<Comment>? Comments,
    Prediction? Prediction,
    IReadOnlyList<string> Unavailable,
    IReadOnlyDictionary<string, string> Reasons)
{
    private const int CommentCount = 50;

    public static async Task<Results<Ok<MovieScreen>, NotFound>> GetAsync(
        int id, ClaimsPrincipal user, CatalogClient catalog, RatingsClient ratings, CancellationToken ct)
    {
        var unavailable = new Unavailable();
        var signedIn = user.IsSignedIn();
        var movie = catalog.GetMovieAsync(id, user, ct);
        var mine = signedIn ? ratings.GetMyFilmAsync(id, CommentCount, user, ct) : null;
        await Task.WhenAll(new Task?[] { movie, mine }.OfType<Task>());

        if (movie.Result.NotFound)
        {
            return TypedResults.NotFound();
        }
        var me = mine is null ? null : unavailable.Take("ratings", mine.Result);
        if (mine is { Result.Failed: true })
        {
            // A prediction that fails is the prediction missing; whether Ratings is down the other parts say.
            unavailable.Add("predictions", mine.Result.FailureReason!);
        }
        else if (me is { Prediction: null })
        {
            unavailable.Add("predictions", "not-found");   // no model yet, or a film Ratings has no copy of
        }
        var commentList = me?.Comments?.Items;
        if (commentList is not null && me is not null)
        {
            var liked = (me.LikedCommentIds ?? []).ToHashSet();
            commentList = [.. commentList.Select(comment => comment with { LikedByMe = liked.Contains(comment.Id) })];
        }
        return TypedResults.Ok(new MovieScreen(
            unavailable.Take("catalog", movie.Result), signedIn, me is null ? null : me with { Prediction = null, Comments = null },
            commentList, me?.Prediction, unavailable.Names, unavailable.Reasons));
    }
}
