using Matcha.Social.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Social.Members;

internal static class MembersApi
{
    public static IEndpointRouteBuilder MapMembersApi(this IEndpointRouteBuilder app)
    {
        var members = app.MapGroup("/").WithTags("Members").RequireAuthorization();
        members.MapGet("/me", Me)
            .WithSummary("The caller's own profile: handle, name and counts. 404 until Accounts' announcement of the account has arrived.");
        members.MapGet("/members/{handle:guid}", Profile)
            .WithSummary("A member's profile by handle: name, counts and whether the caller follows them.");
        return app;
    }

    private static async Task<Results<Ok<MemberProfile>, NotFound>> Me(CurrentUser user, SocialDbContext db, CancellationToken cancellationToken) =>
        await db.ProfilesAsync(db.Members.Where(m => m.UserId == user.Id), user.Id, cancellationToken) is { } profile
            ? TypedResults.Ok(profile)
            : TypedResults.NotFound();

    private static async Task<Results<Ok<MemberProfile>, NotFound>> Profile(Guid handle, CurrentUser user, SocialDbContext db, CancellationToken cancellationToken) =>
        await db.ProfilesAsync(db.Members.Where(m => m.Handle == handle), user.Id, cancellationToken) is { } profile
            ? TypedResults.Ok(profile)
            : TypedResults.NotFound();

    /// <summary>The member's profile with its counts, as seen by <paramref name="viewerId"/>, in one query.</summary>
    private static Task<MemberProfile?> ProfilesAsync(this SocialDbContext db, IQueryable<Member> member, Guid viewerId, CancellationToken cancellationToken) =>
        member.AsNoTracking().Select(m => new MemberProfile(
            m.Handle,
            m.DisplayName,
            db.Follows.Count(f => f.FolloweeId == m.UserId),
            db.Follows.Count(f => f.FollowerId == m.UserId),
            db.Follows.Any(f => f.FollowerId == viewerId && f.FolloweeId == m.UserId),
            m.UserId == viewerId)).SingleOrDefaultAsync(cancellationToken);
}

/// <summary>A profile as others see it. The handle is the member's only identifier outside Social.</summary>
public sealed record MemberProfile(Guid Handle, string DisplayName, int Followers, int Following, bool FollowedByMe, bool IsMe);

/// <summary>A member in a list: enough to show the name and link to the profile.</summary>
public sealed record MemberCard(Guid Handle, string DisplayName);
