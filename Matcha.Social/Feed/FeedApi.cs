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

    /// <summary>How many of everyone's newest activities below the cursor a page further down looks through first.</summary>
    internal const int RecentWindow = 2_000;

    /// <summary>
    /// Fan-out on read (docs/social.md, "The feed"): the first page from the members followed
    /// whose newest activities are the newest; a page further down from everyone's newest
    /// activities below the cursor, kept when followed, or else from every member followed. A
    /// private member's activities are left out by each.
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
        var ids = cursor is null
            ? await FirstPageAsync(db, user.Id, fetch, cancellationToken)
            : await PageBeforeAsync(db, user.Id, before, fetch, cancellationToken);
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

    /// <summary>
    /// The page's n ids come from at most n members, and each of them has a newest activity at
    /// least as new as the page's oldest; at most n members do (each such newest is a different
    /// activity, all in the page or newer). So the n members followed with the newest
    /// <c>member_latest_activity</c> (kept by triggers, migration FeedLatestActivity) hold the
    /// whole page: n probes of the (user_id, id) index instead of one per member followed.
    /// </summary>
    private static Task<List<long>> FirstPageAsync(SocialDbContext db, Guid reader, int fetch, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<long>($"""
            SELECT x.id AS "Value" FROM (
                SELECT l.user_id FROM follows f
                JOIN member_latest_activity l ON l.user_id = f.followee_id
                JOIN members followee ON followee.user_id = f.followee_id AND NOT followee.is_private
                WHERE f.follower_id = {reader}
                ORDER BY l.activity_id DESC
                LIMIT {fetch}) newest
            CROSS JOIN LATERAL (
                SELECT id FROM activities
                WHERE user_id = newest.user_id
                ORDER BY id DESC
                LIMIT {fetch}) x
            ORDER BY x.id DESC
            LIMIT {fetch}
            """).ToListAsync(cancellationToken);

    private static async Task<List<long>> PageBeforeAsync(SocialDbContext db, Guid reader, long before, int fetch, CancellationToken cancellationToken)
    {
        // First pass: the newest activities of everyone below the cursor, kept when their member
        // is followed. When the members followed are active this finds the page at once, without a
        // probe per member; when it finds less than a page, the per-member pass below decides.
        var ids = await db.Database.SqlQuery<long>($"""
            SELECT recent.id AS "Value" FROM (
                SELECT id, user_id FROM activities
                WHERE id < {before}
                ORDER BY id DESC
                LIMIT {RecentWindow}) recent
            WHERE recent.user_id IN (
                SELECT f.followee_id FROM follows f
                JOIN members followee ON followee.user_id = f.followee_id AND NOT followee.is_private
                WHERE f.follower_id = {reader})
            ORDER BY recent.id DESC
            LIMIT {fetch}
            """).ToListAsync(cancellationToken);
        if (ids.Count == fetch)
        {
            return ids;
        }
        // Per member followed, the ids of their newest activities below the cursor, from the
        // (user_id, id) index alone (an index-only scan: no table row per probe).
        return await db.Database.SqlQuery<long>($"""
            SELECT x.id AS "Value" FROM follows f
            JOIN members followee ON followee.user_id = f.followee_id AND NOT followee.is_private
            CROSS JOIN LATERAL (
                SELECT id FROM activities
                WHERE user_id = f.followee_id AND id < {before}
                ORDER BY id DESC
                LIMIT {fetch}) x
            WHERE f.follower_id = {reader}
            ORDER BY x.id DESC
            LIMIT {fetch}
            """).ToListAsync(cancellationToken);
    }
}

/// <summary>One entry of a feed: who did what to which film. Film titles come from Catalog's cards.</summary>
public sealed record FeedItem(
    ActivityKind Kind, MemberCard Member, int MovieId, decimal? Score, long? CommentId, DateTimeOffset OccurredAt, CollectionCard? Collection);

/// <summary>The public collection a <c>collected</c> entry's film was added to.</summary>
public sealed record CollectionCard(Guid Id, string Title);
