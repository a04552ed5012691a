using Matcha.Social.Data;
using Matcha.Social.Feed;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Matcha.Social.Collections;

/// <summary>
/// The films of a collection: add at the end, remove, move one to another place. Each change
/// holds the collection's row lock, so concurrent changes of one collection keep its places
/// 0, 1, 2… without gaps or repeats and its size within the limit.
/// </summary>
internal static class CollectionFilmsApi
{
    public static IEndpointRouteBuilder MapCollectionFilmsApi(this IEndpointRouteBuilder app)
    {
        var films = app.MapGroup("/collections/{id:guid}/films/{movieId:int}").WithTags("Collections").RequireAuthorization();
        films.MapPut("/", Add).WithSummary("Adds the film at the end of one of the caller's collections. Adding it again changes nothing.");
        films.MapDelete("/", Remove).WithSummary("Takes the film out of one of the caller's collections; the films after it move up.");
        films.MapPut("/position", Move).WithSummary("Moves the film to another place (0 is the first) in one of the caller's collections.");
        return app;
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> Add(
        Guid id, int movieId, CurrentUser user, SocialDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (movieId < 1)
        {
            return MovieIdProblem("movieId must be a film's id, a positive number.");
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await LockOwnAsync(db, id, user, cancellationToken) is not { } collection)
        {
            return TypedResults.NotFound();
        }
        if (await db.CollectionFilms.AnyAsync(f => f.CollectionId == id && f.MovieId == movieId, cancellationToken))
        {
            return TypedResults.NoContent();
        }
        var count = await db.CollectionFilms.CountAsync(f => f.CollectionId == id, cancellationToken);
        if (count >= Collection.MaxFilms)
        {
            return MovieIdProblem($"A collection holds at most {Collection.MaxFilms} films; remove one first.");
        }
        var now = clock.GetUtcNow();
        db.CollectionFilms.Add(new CollectionFilm { CollectionId = id, MovieId = movieId, Position = count, AddedAt = now });
        if (collection.IsPublic)
        {
            // The feed's "collected" entry: only films added while the collection is public reach followers.
            db.Activities.Add(new Activity { UserId = user.Id, Kind = ActivityKind.Collected, MovieId = movieId, CollectionId = id, OccurredAt = now });
        }
        collection.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound>> Remove(
        Guid id, int movieId, CurrentUser user, SocialDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await LockOwnAsync(db, id, user, cancellationToken) is not { } collection)
        {
            return TypedResults.NotFound();
        }
        var film = await db.CollectionFilms.SingleOrDefaultAsync(f => f.CollectionId == id && f.MovieId == movieId, cancellationToken);
        if (film is null)
        {
            return TypedResults.NoContent();
        }
        await db.CollectionFilms.Where(f => f.CollectionId == id && f.MovieId == movieId).ExecuteDeleteAsync(cancellationToken);
        await db.CollectionFilms.Where(f => f.CollectionId == id && f.Position > film.Position)
            .ExecuteUpdateAsync(f => f.SetProperty(x => x.Position, x => x.Position - 1), cancellationToken);
        await db.Activities.Where(a => a.CollectionId == id && a.MovieId == movieId).ExecuteDeleteAsync(cancellationToken);
        await TouchAsync(db, collection, clock, transaction, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> Move(
        Guid id, int movieId, FilmPlace input, CurrentUser user, SocialDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await LockOwnAsync(db, id, user, cancellationToken) is not { } collection)
        {
            return TypedResults.NotFound();
        }
        var film = await db.CollectionFilms.SingleOrDefaultAsync(f => f.CollectionId == id && f.MovieId == movieId, cancellationToken);
        if (film is null)
        {
            return TypedResults.NotFound();
        }
        var count = await db.CollectionFilms.CountAsync(f => f.CollectionId == id, cancellationToken);
        if (input.Position is not { } to || to < 0 || to >= count)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["position"] = [$"position must be a place in the collection, 0 to {count - 1}."],
            });
        }
        var from = film.Position;
        // The films between the old place and the new one shift by one towards the old place.
        if (to < from)
        {
            await db.CollectionFilms.Where(f => f.CollectionId == id && f.Position >= to && f.Position < from)
                .ExecuteUpdateAsync(f => f.SetProperty(x => x.Position, x => x.Position + 1), cancellationToken);
        }
        else if (to > from)
        {
            await db.CollectionFilms.Where(f => f.CollectionId == id && f.Position > from && f.Position <= to)
                .ExecuteUpdateAsync(f => f.SetProperty(x => x.Position, x => x.Position - 1), cancellationToken);
        }
        await db.CollectionFilms.Where(f => f.CollectionId == id && f.MovieId == movieId)
            .ExecuteUpdateAsync(f => f.SetProperty(x => x.Position, to), cancellationToken);
        await TouchAsync(db, collection, clock, transaction, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>The caller's collection, locked until the transaction ends; null when it is not theirs.</summary>
    private static Task<Collection?> LockOwnAsync(SocialDbContext db, Guid id, CurrentUser user, CancellationToken cancellationToken) =>
        db.Collections.FromSql($"SELECT * FROM collections WHERE id = {id} AND owner_id = {user.Id} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);

    private static async Task TouchAsync(SocialDbContext db, Collection collection, TimeProvider clock, IDbContextTransaction transaction, CancellationToken cancellationToken)
    {
        collection.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static ValidationProblem MovieIdProblem(string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["movieId"] = [message] });
}

/// <summary>Where a film goes: its new place, 0 being the first.</summary>
public sealed record FilmPlace(int? Position);
