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
            .WithSummary("Ratings and comments of the members the caller follows, newest first, keyset-paged.");
        return app;
    }

    /// <summary>
    /// Fan-out on read (docs/social.md): for each member followed, at most one page of their
    /// newest activities by the (user_id, id) index, then the newest page of those. The cost
    /// grows with how many one follows, not with how much they have ever done.
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
        var rows = await db.Database.SqlQuery<FeedRow>($"""
            SELECT a.id AS "Id", a.kind AS "Kind", a.movie_id AS "MovieId", a.score AS "Score", a.comment_id AS "CommentId",
                   a.occurred_at AS "OccurredAt", m.handle AS "Handle", m.display_name AS "DisplayName"
            FROM follows f
            CROSS JOIN LATERAL (
                SELECT * FROM activities a
                WHERE a.user_id = f.followee_id AND a.id < {before}
                ORDER BY a.id DESC
                LIMIT {fetch}) a
            JOIN members m ON m.user_id = a.user_id
            WHERE f.follower_id = {user.Id}
            ORDER BY a.id DESC
            LIMIT {fetch}
            """).ToListAsync(cancellationToken);
        var size = fetch - 1;
        var next = rows.Count > size ? rows[size - 1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new Page<FeedItem>([.. rows.Take(size).Select(r => r.ToItem())], next));
    }

    private sealed record FeedRow(long Id, string Kind, int MovieId, decimal? Score, long? CommentId, DateTimeOffset OccurredAt, Guid Handle, string DisplayName)
    {
        public FeedItem ToItem() => new(Enum.Parse<ActivityKind>(Kind), new MemberCard(Handle, DisplayName), MovieId, Score, CommentId, OccurredAt);
    }
}

/// <summary>One entry of a feed: who did what to which film. Film titles come from Catalog's cards.</summary>
public sealed record FeedItem(ActivityKind Kind, MemberCard Member, int MovieId, decimal? Score, long? CommentId, DateTimeOffset OccurredAt);
