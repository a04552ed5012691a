using Matcha.EventBus;
using Matcha.Social.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Social.Members;

internal static class MembersApi
{
    public const int MaxQueryLength = 50;
    public const int MaxSearchResults = 50;
    public const int DefaultSearchResults = 20;

    public static IEndpointRouteBuilder MapMembersApi(this IEndpointRouteBuilder app)
    {
        var members = app.MapGroup("/").WithTags("Members").RequireAuthorization();
        members.MapGet("/me", Me)
            .WithSummary("The caller's own profile: handle, name and counts. 404 until Accounts' announcement of the account has arrived.");
        members.MapPut("/me/privacy", SetPrivacy)
            .WithSummary("Makes the caller's profile private ({\"private\": true}) or public again; announced to Ratings, which then refuses the profile's lists to others.");
        members.MapGet("/members", Search)
            .WithSummary("Members whose display name contains the query (case-insensitive): exact names first, then names that start with it, then the rest; at most pageSize (1–50, default 20).");
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

    private static async Task<Results<Ok<MemberProfile>, NotFound, ValidationProblem>> SetPrivacy(
        PrivacyInput input, CurrentUser user, SocialDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (input.Private is not { } makePrivate)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["private"] = ["private must be true or false."] });
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var member = await db.Members.FromSql($"SELECT * FROM members WHERE user_id = {user.Id} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);
        if (member is null)
        {
            return TypedResults.NotFound();
        }
        if (member.IsPrivate != makePrivate)
        {
            // The flag and its announcement in one transaction (the outbox); the row lock orders the versions.
            member.IsPrivate = makePrivate;
            member.PrivacyVersion++;
            db.AddEvent(new MemberPrivacyChanged(member.UserId, makePrivate, member.PrivacyVersion), clock);
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok((await db.ProfilesAsync(db.Members.Where(m => m.UserId == user.Id), user.Id, cancellationToken))!);
    }

    private static async Task<Results<Ok<MemberSearchResult>, ValidationProblem>> Search(
        string? query, int? pageSize, SocialDbContext db, CancellationToken cancellationToken)
    {
        var q = query?.Trim() ?? "";
        var errors = new Dictionary<string, string[]>();
        if (q.Length is 0 or > MaxQueryLength || !StoredText.IsStorable(q))
        {
            errors["query"] = [$"query must have 1 to {MaxQueryLength} characters, and no NUL."];
        }
        if (pageSize is < 1 or > MaxSearchResults)
        {
            errors["pageSize"] = [$"pageSize must be between 1 and {MaxSearchResults}."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        // ILIKE on the trigram index (migration MemberSearch); a name is short, so ranking the
        // matches by how they match is cheap. Ties go to the longer-standing member.
        var contains = StoredText.ContainsPattern(q);
        var (exact, prefix) = (contains[1..^1], contains[1..]);
        var found = await db.Members.AsNoTracking()
            .Where(m => EF.Functions.ILike(m.DisplayName, contains))
            .OrderBy(m => EF.Functions.ILike(m.DisplayName, exact) ? 0 : EF.Functions.ILike(m.DisplayName, prefix) ? 1 : 2)
            .ThenBy(m => m.JoinedAt).ThenBy(m => m.Handle)
            .Take(pageSize ?? DefaultSearchResults)
            .Select(m => new MemberCard(m.Handle, m.DisplayName))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new MemberSearchResult(found));
    }

    /// <summary>The member's profile with its counts, as seen by <paramref name="viewerId"/>, in one query.</summary>
    private static Task<MemberProfile?> ProfilesAsync(this SocialDbContext db, IQueryable<Member> member, Guid viewerId, CancellationToken cancellationToken) =>
        member.AsNoTracking().Select(m => new MemberProfile(
            m.Handle,
            m.DisplayName,
            db.Follows.Count(f => f.FolloweeId == m.UserId),
            db.Follows.Count(f => f.FollowerId == m.UserId),
            db.Follows.Any(f => f.FollowerId == viewerId && f.FolloweeId == m.UserId),
            m.UserId == viewerId,
            m.IsPrivate)).SingleOrDefaultAsync(cancellationToken);

    /// <summary>Whether <paramref name="viewerId"/> may see the member's lists: always their own, others' unless private.</summary>
    public static bool CanBeSeenBy(this Member member, Guid viewerId) => !member.IsPrivate || member.UserId == viewerId;
}

/// <summary>The body of <c>PUT /me/privacy</c>.</summary>
public sealed record PrivacyInput(bool? Private);

/// <summary>
/// A profile as others see it. The handle is the member's only identifier outside Social. The
/// counts are shown even when <see cref="IsPrivate"/>: a private profile hides its lists, not its size.
/// </summary>
public sealed record MemberProfile(Guid Handle, string DisplayName, int Followers, int Following, bool FollowedByMe, bool IsMe, bool IsPrivate);

/// <summary>A member in a list: enough to show the name and link to the profile.</summary>
public sealed record MemberCard(Guid Handle, string DisplayName);

/// <summary>The members a name search found, best first; one bounded page, no cursor.</summary>
public sealed record MemberSearchResult(IReadOnlyList<MemberCard> Items);
