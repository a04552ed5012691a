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
        await db.ProfilesAsQueryable(user.Id).Where(p => p.UserId == user.Id).Select(p => p.Profile).SingleOrDefaultAsync(cancellationToken) is { } profile
            ? TypedResults.Ok(profile)
            : TypedResults.NotFound();

    private static async Task<Results<Ok<MemberProfile>, NotFound>> Profile(Guid handle, CurrentUser user, SocialDbContext db, CancellationToken cancellationToken) =>
        await db.ProfilesAsQueryable(user.Id).Where(p => p.Handle == handle).Select(p => p.Profile).SingleOrDefaultAsync(cancellationToken) is { } profile
            ? TypedResults.Ok(profile)
            : TypedResults.NotFound();

    private sealed record ProfileRow(Guid UserId, Guid Handle, MemberProfile Profile);

    /// <summary>Profiles with their counts, as seen by <paramref name="viewerId"/>; one query, filtered by the caller.</summary>
    private static IQueryable<ProfileRow> ProfilesAsQueryable(this SocialDbContext db, Guid viewerId) =>
        db.Members.AsNoTracking().Select(m => new ProfileRow(m.UserId, m.Handle, new MemberProfile(
            m.Handle,
            m.DisplayName,
            db.Follows.Count(f => f.FolloweeId == m.UserId),
            db.Follows.Count(f => f.FollowerId == m.UserId),
            db.Follows.Any(f => f.FollowerId == viewerId && f.FolloweeId == m.UserId),
            m.UserId == viewerId)));
}

/// <summary>A profile as others see it. The handle is the member's only identifier outside Social.</summary>
public sealed record MemberProfile(Guid Handle, string DisplayName, int Followers, int Following, bool FollowedByMe, bool IsMe);

/// <summary>A member in a list: enough to show the name and link to the profile.</summary>
public sealed record MemberCard(Guid Handle, string DisplayName);
