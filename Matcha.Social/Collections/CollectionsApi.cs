using System.Globalization;
using Matcha.Social.Data;
using Matcha.Social.Follows;
using Matcha.Social.Members;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Social.Collections;

internal static class CollectionsApi
{
    public static IEndpointRouteBuilder MapCollectionsApi(this IEndpointRouteBuilder app)
    {
        var collections = app.MapGroup("/collections").WithTags("Collections").RequireAuthorization();
        collections.MapPost("/", Create).WithSummary("Creates a collection of the caller's (public unless isPublic is false), empty.");
        collections.MapGet("/{id:guid}", Get).WithSummary("A collection with its films in order; a private one is found by its owner only.");
        collections.MapPatch("/{id:guid}", Update).WithSummary("Changes the title, description or visibility of one of the caller's collections.");
        collections.MapDelete("/{id:guid}", Delete).WithSummary("Deletes one of the caller's collections, its films and its likes.");
        collections.MapPut("/{id:guid}/like", Like).WithSummary("The caller likes someone else's collection. Liking again changes nothing.");
        collections.MapDelete("/{id:guid}/like", Unlike).WithSummary("The caller no longer likes the collection.");
        app.MapGet("/members/{handle:guid}/collections", OfMember).WithTags("Collections").RequireAuthorization()
            .WithSummary("A member's collections, newest first, keyset-paged; private ones only to their owner.");
        return app;
    }

    private static async Task<Results<Created<CollectionView>, NotFound, ValidationProblem>> Create(
        CollectionDraft input, CurrentUser user, SocialDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = CollectionText.Check(input.Title, titleRequired: true, input.Description);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        // The owner is shown by their member card, which exists milliseconds after sign-up.
        if (!await db.Members.AnyAsync(m => m.UserId == user.Id, cancellationToken))
        {
            return TypedResults.NotFound();
        }
        var now = clock.GetUtcNow();
        var collection = new Collection
        {
            Id = Guid.CreateVersion7(now), OwnerId = user.Id, Title = input.Title!.Trim(), Description = input.Description?.Trim() ?? "",
            IsPublic = input.IsPublic ?? true, CreatedAt = now, UpdatedAt = now,
        };
        db.Collections.Add(collection);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/social/collections/{collection.Id}", await db.ViewAsync(collection.Id, user.Id, cancellationToken));
    }

    private static async Task<Results<Ok<CollectionView>, NotFound>> Get(Guid id, CurrentUser user, SocialDbContext db, CancellationToken cancellationToken) =>
        await db.ViewAsync(id, user.Id, cancellationToken) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound();

    private static async Task<Results<Ok<CollectionView>, NotFound, ValidationProblem>> Update(
        Guid id, CollectionChange input, CurrentUser user, SocialDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = CollectionText.Check(input.Title, titleRequired: false, input.Description);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var collection = await db.Collections.FromSql($"SELECT * FROM collections WHERE id = {id} AND owner_id = {user.Id} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        if (collection is null)
        {
            return TypedResults.NotFound();
        }
        collection.Title = input.Title?.Trim() ?? collection.Title;
        collection.Description = input.Description?.Trim() ?? collection.Description;
        if (input.IsPublic is false && collection.IsPublic)
        {
            // A private collection is seen by its owner only: what it brought to followers' feeds leaves them.
            await db.Activities.Where(a => a.CollectionId == id).ExecuteDeleteAsync(cancellationToken);
        }
        collection.IsPublic = input.IsPublic ?? collection.IsPublic;
        collection.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok((await db.ViewAsync(id, user.Id, cancellationToken))!);
    }

    private static async Task<Results<NoContent, NotFound>> Delete(Guid id, CurrentUser user, SocialDbContext db, CancellationToken cancellationToken) =>
        // Films, likes and feed entries go with it (foreign keys, ON DELETE CASCADE).
        await db.Collections.Where(c => c.Id == id && c.OwnerId == user.Id).ExecuteDeleteAsync(cancellationToken) == 0
            ? TypedResults.NotFound()
            : TypedResults.NoContent();

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> Like(
        Guid id, CurrentUser user, SocialDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var owner = await db.Collections.Where(c => c.Id == id).VisibleTo(db, user.Id)
            .Select(c => (Guid?)c.OwnerId).SingleOrDefaultAsync(cancellationToken);
        if (owner is null)
        {
            return TypedResults.NotFound();
        }
        if (owner == user.Id)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["id"] = ["A member cannot like their own collection."] });
        }
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO collection_likes (collection_id, user_id, liked_at) VALUES ({id}, {user.Id}, {clock.GetUtcNow()})
            ON CONFLICT DO NOTHING
            """, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> Unlike(Guid id, CurrentUser user, SocialDbContext db, CancellationToken cancellationToken)
    {
        await db.CollectionLikes.Where(l => l.CollectionId == id && l.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>One page of a member's collections, keyset-paged on the id (version 7, so by creation time).</summary>
    private static async Task<Results<Ok<Page<CollectionSummary>>, NotFound, ValidationProblem, ProblemHttpResult>> OfMember(
        Guid handle, CurrentUser user, SocialDbContext db, string? cursor, int? pageSize, CancellationToken cancellationToken)
    {
        if (PageRequest.Validate(pageSize) is { } problem)
        {
            return problem;
        }
        var before = Guid.AllBitsSet;
        if (cursor is not null && !Guid.TryParseExact(cursor, "D", out before))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = ["cursor is not a cursor this API returned."] });
        }
        var member = await db.Members.AsNoTracking().SingleOrDefaultAsync(m => m.Handle == handle, cancellationToken);
        if (member is null)
        {
            return TypedResults.NotFound();
        }
        if (!member.CanBeSeenBy(user.Id))
        {
            return FollowsApi.PrivateProfile();
        }
        Guid? owner = member.UserId;
        var size = pageSize ?? PageRequest.DefaultPageSize;
        var isOwner = owner == user.Id;
        // uuid order in SQL (EF has no < on Guid); version 7 ids sort by creation time there.
        var rows = await db.Collections.FromSql($"""
                SELECT * FROM collections
                WHERE owner_id = {owner.Value} AND (is_public OR {isOwner}) AND id < {before}
                """)
            .AsNoTracking()
            .OrderByDescending(c => c.Id)
            .Take(size + 1)
            .Select(c => new CollectionSummary(
                c.Id, c.Title, c.Description, c.IsPublic,
                db.CollectionFilms.Count(f => f.CollectionId == c.Id),
                db.CollectionLikes.Count(l => l.CollectionId == c.Id),
                db.CollectionFilms.Where(f => f.CollectionId == c.Id).OrderBy(f => f.Position).Select(f => f.MovieId).Take(CollectionSummary.Covers).ToList(),
                c.UpdatedAt))
            .ToListAsync(cancellationToken);
        var next = rows.Count > size ? rows[size - 1].Id.ToString("D", CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new Page<CollectionSummary>([.. rows.Take(size)], next));
    }

    /// <summary>
    /// The collections <paramref name="viewerId"/> may see: their own, and others' public ones
    /// unless the owner's profile is private (a private profile closes its collections as it
    /// closes its lists; such a collection is a 404 like a private one).
    /// </summary>
    private static IQueryable<Collection> VisibleTo(this IQueryable<Collection> collections, SocialDbContext db, Guid viewerId) =>
        collections.Where(c => c.OwnerId == viewerId || (c.IsPublic && !db.Members.Any(m => m.UserId == c.OwnerId && m.IsPrivate)));

    /// <summary>The collection as <paramref name="viewerId"/> sees it, or null when it is not theirs to see.</summary>
    internal static async Task<CollectionView?> ViewAsync(this SocialDbContext db, Guid id, Guid viewerId, CancellationToken cancellationToken)
    {
        var head = await db.Collections.AsNoTracking()
            .Where(c => c.Id == id).VisibleTo(db, viewerId)
            .Join(db.Members, c => c.OwnerId, m => m.UserId, (c, m) => new
            {
                Collection = c,
                Owner = new MemberCard(m.Handle, m.DisplayName),
                Likes = db.CollectionLikes.Count(l => l.CollectionId == c.Id),
                LikedByMe = db.CollectionLikes.Any(l => l.CollectionId == c.Id && l.UserId == viewerId),
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (head is null)
        {
            return null;
        }
        var films = await db.CollectionFilms.Where(f => f.CollectionId == id).OrderBy(f => f.Position).Select(f => f.MovieId).ToListAsync(cancellationToken);
        var c = head.Collection;
        return new CollectionView(c.Id, c.Title, c.Description, c.IsPublic, head.Owner, c.OwnerId == viewerId, head.Likes, head.LikedByMe, films, c.CreatedAt, c.UpdatedAt);
    }
}

/// <summary>What a new collection is given; only the title is required.</summary>
public sealed record CollectionDraft(string? Title, string? Description, bool? IsPublic);

/// <summary>A change to a collection: each field given replaces the one stored.</summary>
public sealed record CollectionChange(string? Title, string? Description, bool? IsPublic);

/// <summary>A collection's page. <see cref="Films"/> are movie ids in the collection's order; titles and posters come from Catalog's cards.</summary>
public sealed record CollectionView(
    Guid Id, string Title, string Description, bool IsPublic, MemberCard Owner, bool IsMine, int Likes, bool LikedByMe,
    IReadOnlyList<int> Films, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A collection in a member's list: its first films' ids for a cover, and its counts.</summary>
public sealed record CollectionSummary(
    Guid Id, string Title, string Description, bool IsPublic, int FilmCount, int Likes, IReadOnlyList<int> CoverFilms, DateTimeOffset UpdatedAt)
{
    public const int Covers = 4;
}

/// <summary>The rules of a collection's title and description.</summary>
internal static class CollectionText
{
    public static Dictionary<string, string[]> Check(string? title, bool titleRequired, string? description)
    {
        var errors = new Dictionary<string, string[]>();
        if (title is null ? titleRequired : title.Trim().Length is 0 or > Collection.MaxTitleLength || !StoredText.IsStorable(title))
        {
            errors["title"] = [$"title must have 1 to {Collection.MaxTitleLength} characters, and no NUL."];
        }
        if (description is not null && (description.Trim().Length > Collection.MaxDescriptionLength || !StoredText.IsStorable(description)))
        {
            errors["description"] = [$"description must have at most {Collection.MaxDescriptionLength} characters, and no NUL."];
        }
        return errors;
    }
}
