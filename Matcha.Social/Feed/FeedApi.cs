using System.Globalization;
using Matcha.Social.Data;
using Matcha.Social.Members;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Matcha.Social.Feed;

internal static class FeedApi
{
    public static IEndpointRouteBuilder MapFeedApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/feed", MyFeed).WithTags("Feed").RequireAuthorization().RequireRateLimiting(FeedConcurrency.Policy)
            .WithSummary("Ratings, comments and films added to public collections by the members the caller follows, newest first, keyset-paged.");
        return app;
    }

    /// <summary>How many of everyone's newest activities below the cursor a page further down looks through first.</summary>
    internal const int RecentWindow = 2_000;

    /// <summary>
    /// Fan-out on read (docs/social.md, "The feed"): the first page from the members followed
    /// whose newest activities are the newest; a page further down from everyone's newest
    /// activities below the cursor, kept when followed, or else from every member followed. A
    /// private member's activities are left out by each. Each is one statement: the page's ids
    /// (<c>page</c>), then its rows with their authors' names and their collections' titles.
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
        var rows = cursor is null
            ? await PageAsync(db, FirstPage, user.Id, before, fetch, cancellationToken)
            : await PageBeforeAsync(db, user.Id, before, fetch, cancellationToken);
        var size = fetch - 1;
        var next = rows.Count > size ? rows[size - 1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new Page<FeedItem>([.. rows.Take(size).Select(r => r.ToItem())], next));
    }

    private static async Task<List<FeedRow>> PageBeforeAsync(SocialDbContext db, Guid reader, long before, int fetch, CancellationToken cancellationToken)
    {
        // When the members followed are active, everyone's newest activities below the cursor
        // hold the page, without a probe per member; when they hold less than a page, the
        // per-member pass decides.
        var rows = await PageAsync(db, RecentWindowPage, reader, before, fetch, cancellationToken);
        return rows.Count == fetch ? rows : await PageAsync(db, PerMemberPage, reader, before, fetch, cancellationToken);
    }

    /// <param name="page">One of the statements below: constant text, every value a parameter.</param>
    private static Task<List<FeedRow>> PageAsync(SocialDbContext db, string page, Guid reader, long before, int fetch, CancellationToken cancellationToken) =>
        db.Database.SqlQueryRaw<FeedRow>(page,
                new NpgsqlParameter<Guid>("reader", reader), new NpgsqlParameter<long>("before", before), new NpgsqlParameter<int>("fetch", fetch),
                new NpgsqlParameter<int>("window", RecentWindow))
            .ToListAsync(cancellationToken);

    /// <summary>
    /// Whether the member followed (<c>f</c>) hides their activities: an anti-join with the few
    /// private members, through the partial index of migration PrivateMembersIndex, rather than a
    /// join with every member followed.
    /// </summary>
    private const string Public = "NOT EXISTS (SELECT 1 FROM members p WHERE p.user_id = f.followee_id AND p.is_private)";

    /// <summary>
    /// The page's n ids come from at most n members, and each of them has a newest activity at
    /// least as new as the page's oldest; at most n members do (each such newest is a different
    /// activity, all in the page or newer). So the n members followed with the newest
    /// <c>member_latest_activity</c> (kept by triggers, migration FeedLatestActivity) hold the
    /// whole page: n probes of the (user_id, id) index instead of one per member followed.
    /// </summary>
    private const string FirstPage = $"""
        WITH page AS (
        SELECT x.id FROM (
            SELECT l.user_id FROM follows f
            JOIN member_latest_activity l ON l.user_id = f.followee_id
            WHERE f.follower_id = @reader AND {Public}
            ORDER BY l.activity_id DESC
            LIMIT @fetch) newest
        CROSS JOIN LATERAL (
            SELECT id FROM activities
            WHERE user_id = newest.user_id
            ORDER BY id DESC
            LIMIT @fetch) x
        ORDER BY x.id DESC
        LIMIT @fetch)
        {Rows}
        """;

    /// <summary>The newest activities of everyone below the cursor, kept when their member is followed.</summary>
    private const string RecentWindowPage = $"""
        WITH page AS (
        SELECT recent.id FROM (
            SELECT id, user_id FROM activities
            WHERE id < @before
            ORDER BY id DESC
            LIMIT @window) recent
        WHERE recent.user_id IN (SELECT f.followee_id FROM follows f WHERE f.follower_id = @reader AND {Public})
        ORDER BY recent.id DESC
        LIMIT @fetch)
        {Rows}
        """;

    /// <summary>Per member followed, the ids of their newest activities below the cursor, from the (user_id, id) index alone.</summary>
    private const string PerMemberPage = $"""
        WITH page AS (
        SELECT x.id FROM follows f
        CROSS JOIN LATERAL (
            SELECT id FROM activities
            WHERE user_id = f.followee_id AND id < @before
            ORDER BY id DESC
            LIMIT @fetch) x
        WHERE f.follower_id = @reader AND {Public}
        ORDER BY x.id DESC
        LIMIT @fetch)
        {Rows}
        """;

    /// <summary>
    /// The page's rows, newest first; names and titles are read now, so a rename shows at once.
    /// Columns are named as <see cref="FeedRow"/>'s properties in snake case (the context's naming convention).
    /// </summary>
    private const string Rows = """
        SELECT a.id, a.kind, a.movie_id, a.score, a.comment_id, a.occurred_at, m.handle, m.display_name,
            a.collection_id, c.title AS collection_title
        FROM page
        JOIN activities a ON a.id = page.id
        JOIN members m ON m.user_id = a.user_id
        LEFT JOIN collections c ON c.id = a.collection_id
        ORDER BY a.id DESC
        """;

    private sealed record FeedRow(
        long Id, string Kind, int MovieId, decimal? Score, long? CommentId, DateTimeOffset OccurredAt,
        Guid Handle, string DisplayName, Guid? CollectionId, string? CollectionTitle)
    {
        public FeedItem ToItem() => new(
            Enum.Parse<ActivityKind>(Kind), new MemberCard(Handle, DisplayName), MovieId, Score, CommentId, OccurredAt,
            CollectionId is { } id && CollectionTitle is { } title ? new CollectionCard(id, title) : null);
    }
}

/// <summary>One entry of a feed: who did what to which film. Film titles come from Catalog's cards.</summary>
public sealed record FeedItem(
    ActivityKind Kind, MemberCard Member, int MovieId, decimal? Score, long? CommentId, DateTimeOffset OccurredAt, CollectionCard? Collection);

/// <summary>The public collection a <c>collected</c> entry's film was added to.</summary>
public sealed record CollectionCard(Guid Id, string Title);
