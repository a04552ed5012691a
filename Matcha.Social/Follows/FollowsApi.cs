using System.Globalization;
using System.Linq.Expressions;
using Matcha.Social.Data;
using Matcha.Social.Members;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Social.Follows;

internal static class FollowsApi
{
    public static IEndpointRouteBuilder MapFollowsApi(this IEndpointRouteBuilder app)
    {
        var member = app.MapGroup("/members/{handle:guid}").WithTags("Follows").RequireAuthorization();
        member.MapPut("/follow", FollowMember).WithSummary("The caller follows the member. Following again changes nothing.");
        member.MapDelete("/follow", UnfollowMember).WithSummary("The caller stops following the member.");
        member.MapGet("/followers", Followers).WithSummary("Who follows the member, most recent first, keyset-paged.");
        member.MapGet("/following", Following).WithSummary("Whom the member follows, most recent first, keyset-paged.");
        return app;
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> FollowMember(
        Guid handle, CurrentUser user, SocialDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var followeeId = await db.UserIdOfAsync(handle, cancellationToken);
        if (followeeId is null || !await db.Members.AnyAsync(m => m.UserId == user.Id, cancellationToken))
        {
            return TypedResults.NotFound();
        }
        if (followeeId == user.Id)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["handle"] = ["A member cannot follow themselves."] });
        }
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO follows (follower_id, followee_id, created_at) VALUES ({user.Id}, {followeeId.Value}, {clock.GetUtcNow()})
            ON CONFLICT DO NOTHING
            """, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound>> UnfollowMember(Guid handle, CurrentUser user, SocialDbContext db, CancellationToken cancellationToken)
    {
        if (await db.UserIdOfAsync(handle, cancellationToken) is not { } followeeId)
        {
            return TypedResults.NotFound();
        }
        await db.Follows.Where(f => f.FollowerId == user.Id && f.FolloweeId == followeeId).ExecuteDeleteAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static Task<Results<Ok<Page<MemberCard>>, NotFound, ValidationProblem, ProblemHttpResult>> Followers(
        Guid handle, CurrentUser user, SocialDbContext db, string? cursor, int? pageSize, CancellationToken cancellationToken) =>
        ListAsync(handle, user, db, cursor, pageSize, followers: true, cancellationToken);

    private static Task<Results<Ok<Page<MemberCard>>, NotFound, ValidationProblem, ProblemHttpResult>> Following(
        Guid handle, CurrentUser user, SocialDbContext db, string? cursor, int? pageSize, CancellationToken cancellationToken) =>
        ListAsync(handle, user, db, cursor, pageSize, followers: false, cancellationToken);

    /// <summary>One page of either list, keyset-paged on the follow's id: no offset, so a page costs the same deep in the list.</summary>
    private static async Task<Results<Ok<Page<MemberCard>>, NotFound, ValidationProblem, ProblemHttpResult>> ListAsync(
        Guid handle, CurrentUser user, SocialDbContext db, string? cursor, int? pageSize, bool followers, CancellationToken cancellationToken)
    {
        if (PageRequest.Validate(pageSize) is { } problem)
        {
            return problem;
        }
        long? after = null;
        if (cursor is not null)
        {
            if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var position))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = ["cursor is not a cursor this API returned."] });
            }
            after = position;
        }
        var member = await db.Members.AsNoTracking().SingleOrDefaultAsync(m => m.Handle == handle, cancellationToken);
        if (member is null)
        {
            return TypedResults.NotFound();
        }
        if (!member.CanBeSeenBy(user.Id))
        {
            return PrivateProfile();
        }
        var userId = member.UserId;
        var size = pageSize ?? PageRequest.DefaultPageSize;
        Expression<Func<Follow, bool>> ofMember = followers ? f => f.FolloweeId == userId : f => f.FollowerId == userId;
        Expression<Func<Follow, Guid>> listed = followers ? f => f.FollowerId : f => f.FolloweeId;
        var rows = await db.Follows.AsNoTracking()
            .Where(ofMember)
            .Where(f => after == null || f.Id < after)
            .OrderByDescending(f => f.Id)
            .Take(size + 1)
            .Join(db.Members, listed, m => m.UserId, (f, m) => new { f.Id, m.Handle, m.DisplayName })
            .OrderByDescending(r => r.Id)
            .ToListAsync(cancellationToken);
        var next = rows.Count > size ? rows[size - 1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new Page<MemberCard>([.. rows.Take(size).Select(r => new MemberCard(r.Handle, r.DisplayName))], next));
    }

    /// <summary>403, not 404: the profile exists and shows its name and counts; only its lists are closed (docs/security.md).</summary>
    internal static ProblemHttpResult PrivateProfile() => TypedResults.Problem(
        "This member's profile is private: their name and counts are shown, their lists are not.",
        title: "Private profile", statusCode: StatusCodes.Status403Forbidden);

    private static Task<Guid?> UserIdOfAsync(this SocialDbContext db, Guid handle, CancellationToken cancellationToken) =>
        db.Members.Where(m => m.Handle == handle).Select(m => (Guid?)m.UserId).SingleOrDefaultAsync(cancellationToken);
}
