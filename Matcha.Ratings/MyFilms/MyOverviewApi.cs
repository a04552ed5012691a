using Matcha.Ratings.Comments;
using Matcha.Ratings.Data;
using Matcha.Ratings.Ratings;
using Matcha.Ratings.Recommendations;
using Matcha.Ratings.Wishlist;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Caching.Memory;

namespace Matcha.Ratings.MyFilms;

/// <summary>
/// The caller's own page in one read: the first page of each of their lists (ratings newest
/// first, wishlist, comments) and their taste analysis, exactly as the four list endpoints give
/// them one by one. The gateway's "my page" asks Ratings this once instead of four times.
/// </summary>
internal static class MyOverviewApi
{
    public static IEndpointRouteBuilder MapMyOverviewApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/me/overview", GetOverview).WithTags("My films").RequireAuthorization()
            .WithSummary("The first rows (rows=N, default 20) of the caller's ratings, wishlist and comments, and their taste analysis.");
        return app;
    }

    private static async Task<Results<Ok<MyOverview>, ValidationProblem>> GetOverview(
        int? rows, CurrentUser user, RatingsDbContext db, IMemoryCache cache, EveryonesAverage everyonesAverage, CancellationToken cancellationToken)
    {
        if (PageRequest.Validate(rows) is not null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["rows"] = [$"rows must be between 1 and {PageRequest.MaxPageSize}."],
            });
        }
        // One DbContext, so one query after another; each is an index range of the caller's rows.
        var ratings = await RatingsApi.MyRatings(user, db, null, null, rows, cancellationToken);
        var wishlist = await WishlistApi.MyWishlist(user, db, null, null, rows, cancellationToken);
        var comments = await CommentsApi.MyComments(user, db, null, rows, cancellationToken);
        var taste = await TasteAnalysis.AnalyseAsync(user, db, cache, everyonesAverage, cancellationToken);
        return TypedResults.Ok(new MyOverview(
            ((Ok<Page<MyRating>>)ratings.Result).Value!,
            ((Ok<Page<MyWish>>)wishlist.Result).Value!,
            ((Ok<Page<CommentView>>)comments.Result).Value!,
            taste.Value!));
    }
}

/// <summary>The caller's page: the first page of each list (with its cursor, to read on from the list's own endpoint) and their taste.</summary>
public sealed record MyOverview(Page<MyRating> Ratings, Page<MyWish> Wishlist, Page<CommentView> Comments, Taste Taste);
