using System.Globalization;
using Matcha.Ratings.Data;
using Matcha.Ratings.Wishlist;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Ratings.MyFilms;

/// <summary>
/// The caller's own state for films, as a screen needs it: on a film page (my rating, my
/// wishlist state, my comment, the comments I liked) and on lists (which of these films I rated).
/// </summary>
internal static class MyFilmsApi
{
    public const int MaxIds = 100;

    public static IEndpointRouteBuilder MapMyFilmsApi(this IEndpointRouteBuilder app)
    {
        var mine = app.MapGroup("/me/movies").WithTags("My films").RequireAuthorization();
        mine.MapGet("/{movieId:int}", MyFilm).WithSummary("The caller's rating, wishlist state, comment and likes for one film.");
        mine.MapGet("/", MyFilms).WithSummary("The caller's rating and wishlist state for up to 100 films (ids=1,2,3); films without either are left out.");
        return app;
    }

    private static async Task<Ok<MyFilm>> MyFilm(int movieId, CurrentUser user, RatingsDbContext db, CancellationToken cancellationToken)
    {
        var score = await db.Ratings.AsNoTracking()
            .Where(r => r.UserId == user.Id && r.MovieId == movieId && r.Score != null && r.RejectedReason == null)
            .Select(r => r.Score).SingleOrDefaultAsync(cancellationToken);
        var wish = await db.WishlistEntries.AsNoTracking()
            .Where(w => w.UserId == user.Id && w.MovieId == movieId)
            .Select(w => w.State).SingleOrDefaultAsync(cancellationToken);
        var commentId = await db.Comments.AsNoTracking()
            .Where(c => c.UserId == user.Id && c.MovieId == movieId)
            .Select(c => (long?)c.Id).SingleOrDefaultAsync(cancellationToken);
        var liked = await db.CommentLikes.AsNoTracking()
            .Where(l => l.UserId == user.Id && db.Comments.Any(c => c.Id == l.CommentId && c.MovieId == movieId))
            .Select(l => l.CommentId).ToListAsync(cancellationToken);
        return TypedResults.Ok(new MyFilm(movieId, score, wish, commentId, liked));
    }

    private static async Task<Results<Ok<MyFilmStates>, ValidationProblem>> MyFilms(
        string? ids, CurrentUser user, RatingsDbContext db, CancellationToken cancellationToken)
    {
        if (!TryReadIds(ids, out var movieIds))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["ids"] = [$"ids must be 1 to {MaxIds} film ids separated by commas."],
            });
        }
        var scores = await db.Ratings.AsNoTracking()
            .Where(r => r.UserId == user.Id && movieIds.Contains(r.MovieId) && r.Score != null && r.RejectedReason == null)
            .ToDictionaryAsync(r => r.MovieId, r => r.Score, cancellationToken);
        var wishes = await db.WishlistEntries.AsNoTracking()
            .Where(w => w.UserId == user.Id && movieIds.Contains(w.MovieId) && w.State != null)
            .ToDictionaryAsync(w => w.MovieId, w => w.State, cancellationToken);
        var items = movieIds
            .Where(id => scores.ContainsKey(id) || wishes.ContainsKey(id))
            .Select(id => new MyFilmState(id, scores.GetValueOrDefault(id), wishes.GetValueOrDefault(id)))
            .ToList();
        return TypedResults.Ok(new MyFilmStates(items));
    }

    private static bool TryReadIds(string? ids, out List<int> movieIds)
    {
        movieIds = [];
        foreach (var part in (ids ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return false;
            }
            movieIds.Add(id);
        }
        movieIds = [.. movieIds.Distinct()];
        return movieIds.Count is > 0 and <= MaxIds;
    }
}

public sealed record MyFilm(int MovieId, decimal? Score, WishState? Wish, long? CommentId, IReadOnlyList<long> LikedCommentIds);

public sealed record MyFilmState(int MovieId, decimal? Score, WishState? Wish);

public sealed record MyFilmStates(IReadOnlyList<MyFilmState> Items);
