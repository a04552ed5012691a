using Matcha.Data;
using Matcha.Ratings.Data;
using Matcha.Ratings.Wishlist;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Ratings.RateToStart;

/// <summary>What the rate-to-start screen asks of Ratings: how many films I rated, and which of its candidates are done with.</summary>
public sealed record RateToStartState(int Rated, IReadOnlyList<int> Done);

/// <summary>
/// Rate to start: "haven't seen" marks (ratings themselves go through the ordinary rating
/// endpoint, with its events), and, for a batch of candidate films, which the caller is done with
/// — rated, not seen, or not interested — and how many films they have rated.
/// </summary>
internal static class RateToStartApi
{
    public static IEndpointRouteBuilder MapRateToStartApi(this IEndpointRouteBuilder app)
    {
        var unseen = app.MapGroup("/movies/{movieId:int}/unseen").WithTags("Rate to start").RequireAuthorization();
        unseen.MapPut("/", MarkUnseen).WithSummary("Records that the caller has not seen a film, so rate to start does not offer it again.");
        unseen.MapDelete("/", ClearUnseen).WithSummary("Forgets that the caller has not seen a film.");

        app.MapGet("/me/rate-to-start", State).WithTags("Rate to start").RequireAuthorization()
            .WithSummary("How many films the caller has rated, and which of the films asked (ids=1,2,3) they rated, have not seen or are not interested in.");
        return app;
    }

    private static async Task<Results<NoContent, NotFound>> MarkUnseen(
        int movieId, CurrentUser user, RatingsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!await db.Movies.AnyAsync(m => m.Id == movieId && m.RemovedAt == null, cancellationToken))
        {
            return TypedResults.NotFound();
        }
        // Idempotent: marking twice keeps the first mark.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO unseen_films (user_id, movie_id, marked_at) VALUES ({user.Id}, {movieId}, {clock.GetUtcNow()})
            ON CONFLICT DO NOTHING
            """, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> ClearUnseen(int movieId, CurrentUser user, RatingsDbContext db, CancellationToken cancellationToken)
    {
        await db.UnseenFilms.Where(u => u.UserId == user.Id && u.MovieId == movieId).ExecuteDeleteAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<RateToStartState>, ValidationProblem>> State(
        string? ids, CurrentUser user, RatingsDbContext db, CancellationToken cancellationToken)
    {
        if (!BatchIds.TryRead(ids, "ids", out var movieIds, out var problem))
        {
            return problem;
        }
        // One statement, one round trip: the count and the three kinds of done were four queries one after another, each
        // an index probe (docs/performance.md, "My page in one round trip").
        var (ratedCount, done) = await db.ReadBatchAsync(
            async reader =>
            {
                await reader.ReadAsync(cancellationToken);
                return (reader.GetInt32(0), reader.GetFieldValue<int[]>(1).ToHashSet());
            },
            cancellationToken,
            Statements.Command($"""
                SELECT (SELECT count(*)::int FROM ratings WHERE user_id = $1 AND score IS NOT NULL AND rejected_reason IS NULL),
                       ARRAY(SELECT movie_id FROM ratings
                             WHERE user_id = $1 AND movie_id = ANY ($2) AND score IS NOT NULL AND rejected_reason IS NULL
                             UNION SELECT movie_id FROM unseen_films WHERE user_id = $1 AND movie_id = ANY ($2)
                             UNION SELECT movie_id FROM wishlist_entries
                             WHERE user_id = $1 AND movie_id = ANY ($2) AND state = '{nameof(WishState.NotInterested)}')
                """, user.Id, movieIds.ToArray()));
        return TypedResults.Ok(new RateToStartState(ratedCount, [.. movieIds.Where(done.Contains)]));
    }
}
