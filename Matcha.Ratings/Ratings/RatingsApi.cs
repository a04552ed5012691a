using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Matcha.EventBus;
using Matcha.Ratings.Data;
using Matcha.Ratings.Paging;
using Matcha.Ratings.Requests;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Ratings.Ratings;

internal static class RatingsApi
{
    public static IEndpointRouteBuilder MapRatingsApi(this IEndpointRouteBuilder app)
    {
        var rating = app.MapGroup("/movies/{movieId:int}/rating").WithTags("Ratings").RequireAuthorization();
        rating.MapPut("/", PutRating).WithSummary("Rates a released film 0.5–5.0 in half stars, or changes the rating.");
        rating.MapDelete("/", DeleteRating).WithSummary("Removes the caller's rating of a film.");

        app.MapGet("/me/ratings", MyRatings).WithTags("Ratings").RequireAuthorization()
            .WithSummary("The caller's ratings, newest first (sort=date) or highest first (sort=score).");
        return app;
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem, ProblemHttpResult>> PutRating(
        int movieId, JsonBody<RatingRequest> body, CurrentUser user, RatingsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!body.TryGet(out var rating, out var problem))
        {
            return problem;
        }
        var movie = await db.Movies.AsNoTracking().SingleOrDefaultAsync(m => m.Id == movieId && m.RemovedAt == null, cancellationToken);
        if (movie is null)
        {
            return TypedResults.NotFound();
        }
        var now = clock.GetUtcNow();
        if (!movie.IsReleasedOn(DateOnly.FromDateTime(now.UtcDateTime)))
        {
            return TypedResults.Problem(
                movie.ReleaseDate is { } release
                    ? $"Film {movieId} is released on {release:yyyy-MM-dd}; it can be rated from that day, and wished for now."
                    : $"Film {movieId} is not released yet; it can be rated once it is, and wished for now.",
                title: "Not released yet", statusCode: StatusCodes.Status409Conflict);
        }

        await RatingWrites.SetScoreAsync(db, user.Id, movieId, rating.Score, now, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeleteRating(
        int movieId, CurrentUser user, RatingsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var rating = await db.Ratings
            .FromSql($"SELECT * FROM ratings WHERE user_id = {user.Id} AND movie_id = {movieId} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        if (rating?.Score is not null)
        {
            db.AddEvent(rating.Change(null, clock.GetUtcNow()));
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<Page<MyRating>>, ValidationProblem>> MyRatings(
        CurrentUser user, RatingsDbContext db, string? sort, string? cursor, int? pageSize, CancellationToken cancellationToken)
    {
        if (!PageQuery.TryRead(pageSize, cursor, out var page, out var problem, sortedByTime: sort != "score"))
        {
            return problem;
        }
        if (sort is not (null or "date" or "score"))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["sort"] = ["sort must be date or score."] });
        }

        var after = page.After;
        var mine = db.Ratings.AsNoTracking().Where(r => r.UserId == user.Id && r.Score != null);
        List<MyRating> items;
        if (sort == "score")
        {
            // Half stars as whole numbers (score × 2) keep the cursor integral.
            var (halfStars, movie) = after ?? (0, 0);
            var below = halfStars / 2m;
            items = await mine
                .Where(r => after == null || r.Score < below || (r.Score == below && r.MovieId < movie))
                .OrderByDescending(r => r.Score).ThenByDescending(r => r.MovieId)
                .Take(page.Fetch)
                .Select(r => new MyRating(r.MovieId, r.Score, r.UpdatedAt, r.RejectedReason))
                .ToListAsync(cancellationToken);
            return TypedResults.Ok(page.ToPage(items, r => ((long)((r.Score ?? 0) * 2), r.MovieId)));
        }

        var (ticks, movieId) = after ?? (0, 0);
        var before = new DateTimeOffset(after is null ? 0 : ticks, TimeSpan.Zero);
        items = await mine
            .Where(r => after == null || r.UpdatedAt < before || (r.UpdatedAt == before && r.MovieId < movieId))
            .OrderByDescending(r => r.UpdatedAt).ThenByDescending(r => r.MovieId)
            .Take(page.Fetch)
            .Select(r => new MyRating(r.MovieId, r.Score, r.UpdatedAt, r.RejectedReason))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(page.ToPage(items, PositionByDate));
    }

    /// <summary>A rating's place in the list newest first, as its cursor names it.</summary>
    internal static (long, long) PositionByDate(MyRating rating) => (rating.UpdatedAt.UtcTicks, rating.MovieId);
}

/// <summary>A rating on the user's page; <see cref="RejectedReason"/> says why a rating no longer counts.</summary>
public sealed record MyRating(int MovieId, decimal? Score, DateTimeOffset UpdatedAt, string? RejectedReason);

/// <summary>The body of a rating: <c>{"score": 4.5}</c>; see <see cref="Ratings.Score"/> for what a score may be.</summary>
public sealed record RatingRequest(decimal Score) : IJsonBody<RatingRequest>
{
    public static bool TryRead(JsonElement json, [NotNullWhen(true)] out RatingRequest? body, [NotNullWhen(false)] out ValidationProblem? problem)
    {
        body = Ratings.Score.TryRead(json, out var score, out problem) ? new RatingRequest(score) : null;
        return body is not null;
    }
}
