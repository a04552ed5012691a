using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Matcha.EventBus;
using Matcha.Ratings.Data;
using Matcha.Ratings.Paging;
using Matcha.Ratings.Ratings;
using Matcha.Ratings.Requests;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Ratings.Wishlist;

internal static class WishlistApi
{
    public static IEndpointRouteBuilder MapWishlistApi(this IEndpointRouteBuilder app)
    {
        var wish = app.MapGroup("/movies/{movieId:int}/wishlist").WithTags("Wishlist").RequireAuthorization();
        wish.MapPut("/", PutState).WithSummary("Sets the caller's state for a film: wantToWatch, watching or notInterested.");
        wish.MapDelete("/", ClearState).WithSummary("Clears the caller's state for a film.");

        app.MapGet("/me/wishlist", MyWishlist).WithTags("Wishlist").RequireAuthorization()
            .WithSummary("The caller's wishlist, most recently changed first, optionally one state only.");
        return app;
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> PutState(
        int movieId, JsonBody<WishlistRequest> body, CurrentUser user, RatingsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!body.TryGet(out var wish, out var problem))
        {
            return problem;
        }
        // Unreleased films can be wished for; only unknown or removed ones cannot.
        if (!await db.Movies.AnyAsync(m => m.Id == movieId && m.RemovedAt == null, cancellationToken))
        {
            return TypedResults.NotFound();
        }
        await db.ChangeStateAsync(user.Id, movieId, wish.State, clock.GetUtcNow(), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> ClearState(
        int movieId, CurrentUser user, RatingsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        await db.ChangeStateAsync(user.Id, movieId, null, clock.GetUtcNow(), cancellationToken);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<Page<MyWish>>, ValidationProblem>> MyWishlist(
        CurrentUser user, RatingsDbContext db, WishState? state, string? cursor, int? pageSize, CancellationToken cancellationToken)
    {
        if (!PageQuery.TryRead(pageSize, cursor, out var page, out var problem, sortedByTime: true))
        {
            return problem;
        }
        var after = page.After;
        var (ticks, movieId) = after ?? (0, 0);
        var before = new DateTimeOffset(ticks, TimeSpan.Zero);
        var items = await db.WishlistEntries.AsNoTracking()
            .Where(w => w.UserId == user.Id && w.State != null && (state == null || w.State == state))
            .Where(w => after == null || w.UpdatedAt < before || (w.UpdatedAt == before && w.MovieId < movieId))
            .OrderByDescending(w => w.UpdatedAt).ThenByDescending(w => w.MovieId)
            .Take(page.Fetch)
            .Select(w => new MyWish(w.MovieId, w.State!.Value, w.UpdatedAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(page.ToPage(items, Position));
    }

    /// <summary>A wish's place in the list newest first, as its cursor names it.</summary>
    internal static (long, long) Position(MyWish wish) => (wish.UpdatedAt.UtcTicks, wish.MovieId);

    private static async Task ChangeStateAsync(this RatingsDbContext db, Guid userId, int movieId, WishState? state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The entry, created empty if a state is set and there is none, then locked and read: one command, one round trip.
        var entry = (await (state is null
            ? db.WishlistEntries.FromSql($"SELECT * FROM wishlist_entries WHERE user_id = {userId} AND movie_id = {movieId} FOR UPDATE")
            : db.WishlistEntries.FromSql($"""
                INSERT INTO wishlist_entries (user_id, movie_id, state, version, updated_at)
                VALUES ({userId}, {movieId}, NULL, 0, now())
                ON CONFLICT DO NOTHING;
                SELECT * FROM wishlist_entries WHERE user_id = {userId} AND movie_id = {movieId} FOR UPDATE
                """)).ToListAsync(cancellationToken)).SingleOrDefault();
        if (entry is not null && entry.State != state)
        {
            var old = entry.State;
            entry.State = state;
            entry.Version++;
            entry.UpdatedAt = now;
            db.AddEvent(new WishlistChanged(movieId, userId, old, state, entry.Version, now));
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }
}

public sealed record MyWish(int MovieId, WishState State, DateTimeOffset UpdatedAt);

/// <summary>The body of a wishlist change: <c>{"state": "wantToWatch"}</c>, any case.</summary>
public sealed record WishlistRequest(WishState State) : IJsonBody<WishlistRequest>
{
    public static bool TryRead(JsonElement json, [NotNullWhen(true)] out WishlistRequest? body, [NotNullWhen(false)] out ValidationProblem? problem)
    {
        if (json.ValueKind == JsonValueKind.Object
            && Score.TryGetProperty(json, "state", out var value)
            && value.ValueKind == JsonValueKind.String
            && value.GetString() is { Length: > 0 } text && char.IsLetter(text[0])
            && Enum.TryParse(text, ignoreCase: true, out WishState state)
            && Enum.IsDefined(state))
        {
            (body, problem) = (new WishlistRequest(state), null);
            return true;
        }
        body = null;
        problem = TypedResults.ValidationProblem(new Dictionary<string, string[]>
        {
            ["state"] = ["state must be one of wantToWatch, watching, notInterested."],
        });
        return false;
    }
}
