using Matcha.Ratings.Authors;
using Matcha.Ratings.Comments;
using Matcha.Ratings.Data;
using Matcha.Ratings.Paging;
using Matcha.Ratings.Recommendations;
using Matcha.Ratings.Wishlist;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Ratings.Profiles;

/// <summary>
/// What a member's profile shows of their ratings, by their public handle: their ratings and
/// comments, newest first and keyset-paged, and a short taste summary. The handle is resolved
/// through <c>authors</c> (Accounts' announcements); no user id is in any answer. A private
/// profile (Social's flag, copied by event) is refused to everyone but its member with a 403.
/// </summary>
internal static class ProfilesApi
{
    public const int FavouriteGenres = 5;

    public static IEndpointRouteBuilder MapProfilesApi(this IEndpointRouteBuilder app)
    {
        var member = app.MapGroup("/members/{handle:guid}").WithTags("Profiles").RequireAuthorization();
        member.MapGet("/ratings", MemberRatings).WithSummary("A member's ratings, newest first, keyset-paged (cursor, pageSize 1–100).");
        member.MapGet("/comments", MemberComments)
            .WithSummary("A member's comments, newest first, keyset-paged; a spoiler's text only when includeSpoilers=true.");
        member.MapGet("/taste", MemberTaste)
            .WithSummary("A member's counts (ratings, comments, want to watch) and taste summary: scores by half star, average, favourite genres.");
        return app;
    }

    private static async Task<Results<Ok<Page<MemberRating>>, NotFound, ValidationProblem, ProblemHttpResult>> MemberRatings(
        Guid handle, string? cursor, int? pageSize, CurrentUser user, RatingsDbContext db, CancellationToken cancellationToken)
    {
        if (!PageQuery.TryRead(pageSize, cursor, out var page, out var problem, sortedByTime: true))
        {
            return problem;
        }
        if (await OwnerAsync(db, handle, cancellationToken) is not { } owner)
        {
            return TypedResults.NotFound();
        }
        if (!owner.CanBeSeenBy(user.Id))
        {
            return PrivateProfile();
        }
        var after = page.After;
        var (ticks, movieId) = after ?? (0, 0);
        var before = new DateTimeOffset(after is null ? 0 : ticks, TimeSpan.Zero);
        // The (user_id, updated_at, movie_id) index, read backwards from the cursor.
        var items = await db.Ratings.AsNoTracking()
            .Where(r => r.UserId == owner.UserId && r.Score != null && r.RejectedReason == null)
            .Where(r => after == null || r.UpdatedAt < before || (r.UpdatedAt == before && r.MovieId < movieId))
            .OrderByDescending(r => r.UpdatedAt).ThenByDescending(r => r.MovieId)
            .Take(page.Fetch)
            .Select(r => new MemberRating(r.MovieId, r.Score!.Value, r.UpdatedAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(page.ToPage(items, r => (r.RatedAt.UtcTicks, r.MovieId)));
    }

    private static async Task<Results<Ok<Page<CommentView>>, NotFound, ValidationProblem, ProblemHttpResult>> MemberComments(
        Guid handle, string? cursor, int? pageSize, bool? includeSpoilers, CurrentUser user, RatingsDbContext db, CancellationToken cancellationToken)
    {
        if (!PageQuery.TryRead(pageSize, cursor, out var page, out var problem))
        {
            return problem;
        }
        if (await OwnerAsync(db, handle, cancellationToken) is not { } owner)
        {
            return TypedResults.NotFound();
        }
        if (!owner.CanBeSeenBy(user.Id))
        {
            return PrivateProfile();
        }
        var after = page.After;
        var (_, before) = after ?? (0, 0);
        var showSpoilers = includeSpoilers ?? false;
        var mine = owner.UserId == user.Id;
        var comments = await db.Comments.AsNoTracking()
            .Where(c => c.UserId == owner.UserId && (after == null || c.Id < before))
            .OrderByDescending(c => c.Id)
            .Take(page.Fetch)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(page.ToPage(
            [.. comments.Select(c => new CommentView(c.Id, c.MovieId, owner.Author, mine, c.IsSpoiler && !showSpoilers ? null : c.Text, c.IsSpoiler, c.LikeCount, c.CreatedAt, c.UpdatedAt))],
            c => (0L, c.Id)));
    }

    /// <summary>
    /// Cheap by design (docs/social.md, "Taste summary"): three counts, the scores grouped by half
    /// star and the genres summed in SQL over the member's own index range, so a member with
    /// thousands of ratings costs one pass over them and sends back a few dozen rows. A favourite
    /// genre is weighed as in <see cref="TasteAnalysis"/>: the sum of (score − 2.75) over its films.
    /// </summary>
    private static async Task<Results<Ok<MemberTasteView>, NotFound, ProblemHttpResult>> MemberTaste(
        Guid handle, CurrentUser user, RatingsDbContext db, CancellationToken cancellationToken)
    {
        if (await OwnerAsync(db, handle, cancellationToken) is not { } owner)
        {
            return TypedResults.NotFound();
        }
        if (!owner.CanBeSeenBy(user.Id))
        {
            return PrivateProfile();
        }
        var userId = owner.UserId;
        var scores = await db.Ratings.AsNoTracking()
            .Where(r => r.UserId == userId && r.Score != null && r.RejectedReason == null)
            .GroupBy(r => r.Score!.Value)
            .Select(g => new { Score = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var distribution = new int[10];
        foreach (var score in scores)
        {
            distribution[(int)(score.Score * 2) - 1] = score.Count;
        }
        var ratingCount = distribution.Sum();
        double? average = ratingCount == 0 ? null : Math.Round((double)scores.Sum(s => s.Score * s.Count) / ratingCount, 2);
        var comments = await db.Comments.CountAsync(c => c.UserId == userId, cancellationToken);
        var wants = await db.WishlistEntries.CountAsync(w => w.UserId == userId && w.State == WishState.WantToWatch, cancellationToken);
        var genres = await db.Database.SqlQuery<GenreRow>($"""
            SELECT g.genre AS "Name", count(*)::int AS "Count", avg(r.score)::float8 AS "Average", sum(r.score - {TasteAnalysis.Middle})::float8 AS "Weight"
            FROM ratings r
            JOIN movies m ON m.id = r.movie_id
            CROSS JOIN LATERAL unnest(m.genres) AS g(genre)
            WHERE r.user_id = {userId} AND r.score IS NOT NULL AND r.rejected_reason IS NULL
            GROUP BY g.genre
            HAVING sum(r.score - {TasteAnalysis.Middle}) > 0
            ORDER BY 4 DESC, 2 DESC, 1
            LIMIT {FavouriteGenres}
            """).ToListAsync(cancellationToken);
        return TypedResults.Ok(new MemberTasteView(
            owner.Author, ratingCount, comments, wants, distribution, average,
            [.. genres.Select(g => new TasteItem(g.Name, null, Math.Round(g.Weight, 2), g.Count, Math.Round(g.Average, 2)))]));
    }

    private static Task<ProfileOwner?> OwnerAsync(RatingsDbContext db, Guid handle, CancellationToken cancellationToken) =>
        db.Authors.AsNoTracking()
            .Where(a => a.Handle == handle)
            .Select(a => new ProfileOwner(a.UserId, new AuthorView(a.Handle, a.DisplayName), db.ProfilePrivacies.Any(p => p.UserId == a.UserId && p.IsPrivate)))
            .SingleOrDefaultAsync(cancellationToken);

    /// <summary>403, not 404: Social shows that the member exists, with name and counts; their ratings are what is closed.</summary>
    private static ProblemHttpResult PrivateProfile() => TypedResults.Problem(
        "This member's profile is private: their ratings, comments and taste are shown to them only.",
        title: "Private profile", statusCode: StatusCodes.Status403Forbidden);

    private sealed record ProfileOwner(Guid UserId, AuthorView Author, bool IsPrivate)
    {
        public bool CanBeSeenBy(Guid viewerId) => !IsPrivate || UserId == viewerId;
    }

    private sealed record GenreRow(string Name, int Count, double Average, double Weight);
}

/// <summary>A rating on a member's profile: the film, the score and when it was given (or last changed).</summary>
public sealed record MemberRating(int MovieId, decimal Score, DateTimeOffset RatedAt);

/// <summary>
/// A member's counts and taste summary: <see cref="Distribution"/> counts their scores from 0.5
/// to 5.0 by half star; <see cref="Genres"/> are their favourite genres, best first (at most five).
/// </summary>
public sealed record MemberTasteView(
    AuthorView Member, int Ratings, int Comments, int WantToWatch, int[] Distribution, double? Average, IReadOnlyList<TasteItem> Genres);
