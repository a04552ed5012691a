using Matcha.Data;
using Matcha.Ratings.Authors;
using Matcha.Ratings.Comments;
using Matcha.Ratings.Data;
using Matcha.Ratings.Paging;
using Matcha.Ratings.Ratings;
using Matcha.Ratings.Recommendations;
using Matcha.Ratings.Recommendations.Serving;
using Matcha.Ratings.Wishlist;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Caching.Memory;

namespace Matcha.Ratings.MyFilms;

/// <summary>
/// The caller's own page in one read: the first page of each of their lists (ratings newest
/// first, wishlist, comments) and their taste analysis, exactly as the four list endpoints give
/// them one by one. The gateway's "my page" asks Ratings this once instead of four times.
/// </summary>
/// <remarks>
/// Its five reads (three first pages, the comments' author, the taste's scores) go to Postgres as
/// one batch: one round trip, where EF Core would make five one after another. Each round trip
/// costs a send and a wake-up on both sides, and they were most of my page's CPU in Ratings
/// (docs/performance.md, "My page in one round trip"). The statements are the list endpoints'
/// first pages written out; a test holds the two to the same rows and cursors.
/// </remarks>
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
        var page = new PageQuery(rows ?? PageRequest.DefaultPageSize, After: null);

        var (ratings, wishes, comments, author, scores) = await db.ReadBatchAsync(
            async reader =>
            {
                var ratings = new List<MyRating>();
                while (await reader.ReadAsync(cancellationToken))
                {
                    ratings.Add(new MyRating(
                        reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetDecimal(1),
                        reader.GetFieldValue<DateTimeOffset>(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
                }
                await reader.NextResultAsync(cancellationToken);
                var wishes = new List<MyWish>();
                while (await reader.ReadAsync(cancellationToken))
                {
                    wishes.Add(new MyWish(reader.GetInt32(0), Enum.Parse<WishState>(reader.GetString(1)), reader.GetFieldValue<DateTimeOffset>(2)));
                }
                await reader.NextResultAsync(cancellationToken);
                var comments = new List<Comment>();
                while (await reader.ReadAsync(cancellationToken))
                {
                    comments.Add(new Comment
                    {
                        Id = reader.GetInt64(0),
                        MovieId = reader.GetInt32(1),
                        UserId = user.Id,
                        Text = reader.GetString(2),
                        IsSpoiler = reader.GetBoolean(3),
                        LikeCount = reader.GetInt32(4),
                        CreatedAt = reader.GetFieldValue<DateTimeOffset>(5),
                        UpdatedAt = reader.GetFieldValue<DateTimeOffset>(6),
                    });
                }
                await reader.NextResultAsync(cancellationToken);
                var author = await reader.ReadAsync(cancellationToken) ? new AuthorView(reader.GetGuid(0), reader.GetString(1)) : null;
                await reader.NextResultAsync(cancellationToken);
                return (ratings, wishes, comments, author, await PersonalModels.ReadScoresAsync(reader, cancellationToken));
            },
            cancellationToken,
            Statements.Command("""
                SELECT movie_id, score, updated_at, rejected_reason FROM ratings
                WHERE user_id = $1 AND score IS NOT NULL
                ORDER BY updated_at DESC, movie_id DESC LIMIT $2
                """, user.Id, page.Fetch),
            Statements.Command("""
                SELECT movie_id, state, updated_at FROM wishlist_entries
                WHERE user_id = $1 AND state IS NOT NULL
                ORDER BY updated_at DESC, movie_id DESC LIMIT $2
                """, user.Id, page.Fetch),
            Statements.Command("""
                SELECT id, movie_id, text, is_spoiler, like_count, created_at, updated_at FROM comments
                WHERE user_id = $1
                ORDER BY id DESC LIMIT $2
                """, user.Id, page.Fetch),
            Statements.Command("SELECT handle, display_name FROM authors WHERE user_id = $1", user.Id),
            PersonalModels.ScoresCommand(user.Id));

        var taste = await TasteAnalysis.FromScoresAsync(user, scores, db, cache, everyonesAverage, cancellationToken);
        return TypedResults.Ok(new MyOverview(
            page.ToPage(ratings, RatingsApi.PositionByDate),
            page.ToPage(wishes, WishlistApi.Position),
            page.ToPage([.. comments.Select(c => CommentView.Own(c, author))], CommentsApi.Position),
            taste.Value!));
    }
}

/// <summary>The caller's page: the first page of each list (with its cursor, to read on from the list's own endpoint) and their taste.</summary>
public sealed record MyOverview(Page<MyRating> Ratings, Page<MyWish> Wishlist, Page<CommentView> Comments, Taste Taste);
