using Matcha.Catalog.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Matcha.Catalog.Movies;

/// <summary>What every admin write shares: loading for update, saving with conflicts named, and cache invalidation.</summary>
internal static class CatalogWrites
{
    public static Task<Movie?> LoadForWriteAsync(CatalogDbContext db, int id, CancellationToken ct) =>
        db.Movies
            .Include(m => m.Titles)
            .Include(m => m.Credits).ThenInclude(c => c.Person).ThenInclude(p => p!.Names)
            .AsSplitQuery()
            .SingleOrDefaultAsync(m => m.Id == id, ct);

    /// <summary>Saves; a unique external id already taken, or a concurrent write, becomes a 409 naming the field.</summary>
    public static async Task<ProblemHttpResult?> SaveAsync(CatalogDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return Conflict("The film was changed by someone else meanwhile.", "version");
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique)
        {
            var field = unique.ConstraintName switch
            {
                "ix_movies_imdb_id" => "imdbId",
                "ix_movies_tmdb_id" => "tmdbId",
                _ => "id",
            };
            return Conflict($"Another film already has this {field}.", field);
        }
    }

    /// <summary>A 409 as problem details, naming the field in conflict.</summary>
    public static ProblemHttpResult Conflict(string title, string field) =>
        TypedResults.Problem(title: title, statusCode: StatusCodes.Status409Conflict, extensions: new Dictionary<string, object?> { ["field"] = field });

    /// <summary>
    /// The film's card and detail, the people whose filmographies show it, and the cached list pages: fenced
    /// first, so the fills after the invalidation read the primary, not a standby that may lag.
    /// </summary>
    public static async Task InvalidateAsync(HybridCache cache, CardCache cards, CatalogStandby standby, int movieId, IEnumerable<int> personIds, CancellationToken ct)
    {
        cards.DropFilms([movieId]);
        string[] tags = [CacheKeys.Movie(movieId), .. personIds.Distinct().Select(CacheKeys.Person), MoviesApi.ListsTag];
        await standby.FenceAsync(tags);
        await cache.RemoveByTagAsync(tags, ct);
    }
}
