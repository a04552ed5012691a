using System.Globalization;
using Matcha.Social.Data;
using Matcha.Social.Members;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Social.Feed;

internal static class FeedApi
{
    public static IEndpointRouteBuilder MapFeedApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/feed", MyFeed).WithTags("Feed").RequireAuthorization()
            .WithSummary("Ratings, comments and films added to public collections by the members the caller follows, newest first, keyset-paged.");
        return app;
    }

    /// <summary>How many of everyone's newest activities the first pass of a feed page looks through.</summary>
    internal const int RecentWindow = 2_000;

    /// <summary>
    /// Fan-out on read (docs/social.md): the newest activities of everyone, kept when followed,
    /// if that fills the page; else for each member followed, at most one page of their
    /// newest activities by the (user_id, id) index, then the newest page of those. The first
    /// pass costs a bounded scan; the second grows with how many one follows, never with how much
    /// they have ever done. A private member's activities are left out by both.
    /// </summary>
    private static async Task<Results<Ok<Page<FeedItem>>, ValidationProblem>> MyFeed(
        CurrentUser user, SocialDbContext db, string? cursor, int? pageSize, CancellationToken cancellationToken)
    {
        if (PageRequest.Validate(pageSize) is { } problem)
        {
            return problem;
        }
        var before = long.MaxValue;
        if (cursor is not null && !long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out before))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = ["cursor is not a cursor this API returned."] });
        }
        var fetch = (pageSize ?? PageRequest.DefaultPageSize) + 1;
        // First pass: the newest activities of everyone, kept when their member is followed. When
        // the members followed are active this finds the page at once, without a probe per member;
        // when it finds less than a page, the per-member pass below decides (docs/social.md).
        var ids = await db.Database.SqlQuery<long>($"""
            SELECT recent.id AS "Value" FROM (
                SELECT id, user_id FROM activities
                WHERE id < {before}
                ORDER BY id DESC
                LIMIT {RecentWindow}) recent
            WHERE recent.user_id IN (
                SELECT f.followee_id FROM follows f
                JOIN members followee ON followee.user_id = f.followee_id AND NOT followee.is_private
                WHERE f.follower_id = {user.Id})
            ORDER BY recent.id DESC
            LIMIT {fetch}
            """).ToListAsync(cancellationToken);
        if (ids.Count < fetch)
        {
            // Per member followed, the ids of their newest activities, from the (user_id, id) index
            // alone (an index-only scan: no table row per probe); only the page's rows are then read
            // from the table. Reading whole rows in the loop touched 8 times the pages.
            ids = await db.Database.SqlQuery<long>($"""
                SELECT x.id AS "Value" FROM follows f
                JOIN members followee ON followee.user_id = f.followee_id AND NOT followee.is_private
                CROSS JOIN LATERAL (
                    SELECT id FROM activities
                    WHERE user_id = f.followee_id AND id < {before}
                    ORDER BY id DESC
                    LIMIT {fetch}) x
                WHERE f.follower_id = {user.Id}
                ORDER BY x.id DESC
                LIMIT {fetch}
                """).ToListAsync(cancellationToken);
        }
        var newest = db.Activities.Where(a => ids.Contains(a.Id));
        // Names are joined to the page only: joined inside the loop, Postgres reads them once per member followed.
        var rows = await newest.AsNoTracking()
            .Join(db.Members, a => a.UserId, m => m.UserId, (a, m) => new { Activity = a, Member = new MemberCard(m.Handle, m.DisplayName) })
            .OrderByDescending(r => r.Activity.Id)
            .ToListAsync(cancellationToken);
        var size = fetch - 1;
        var page = rows.Take(size).ToList();
        // Collections' titles are read now, so a renamed collection shows its new title.
        var collectionIds = page.Select(r => r.Activity.CollectionId).OfType<Guid>().Distinct().ToList();
        var titles = collectionIds.Count == 0
            ? []
            : await db.Collections.AsNoTracking().Where(c => collectionIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Title, cancellationToken);
        var next = rows.Count > size ? rows[size - 1].Activity.Id.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new Page<FeedItem>(
            [.. page.Select(r => new FeedItem(r.Activity.Kind, r.Member, r.Activity.MovieId, r.Activity.Score, r.Activity.CommentId, r.Activity.OccurredAt,
                r.Activity.CollectionId is { } id && titles.TryGetValue(id, out var title) ? new CollectionCard(id, title) : null))],
            next));
    }
}

/// <summary>One entry of a feed: who did what to which film. Film titles come from Catalog's cards.</summary>
public sealed record FeedItem(
    ActivityKind Kind, MemberCard Member, int MovieId, decimal? Score, long? CommentId, DateTimeOffset OccurredAt, CollectionCard? Collection);

/// <summary>The public collection a <c>collected</c> entry's film was added to.</summary>
public sealed record CollectionCard(Guid Id, string Title);
