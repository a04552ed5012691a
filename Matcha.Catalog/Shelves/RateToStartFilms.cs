using System.Globalization;
using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;

namespace Matcha.Catalog.Shelves;

/// <summary>
/// The films rate to start offers, those a rating teaches the model most about first: films many
/// people know (so a newcomer has likely seen them) on which opinions differ (so a newcomer's
/// score tells their taste apart). Score = ln(1 + ratings) × (spread + 0.5), ratings counting
/// those here and those elsewhere (<see cref="Movie.PriorVotes"/>), the spread being the standard
/// deviation of the film's ratings here, in stars; the 0.5 lets a well-known film everyone agrees
/// on still come before an obscure divisive one. Equal scores fall to popularity, year and id.
/// </summary>
internal static class RateToStartFilms
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 100;

    /// <summary>The candidates scored: the most rated released films (here and elsewhere).</summary>
    private const int Pool = 1000;

    public static IEndpointRouteBuilder MapRateToStartFilmsApi(this IEndpointRouteBuilder app)
    {
        // Public like every catalogue read: the same list for everyone; Ratings knows what each user did with it.
        app.MapGet("/rate-to-start", GetFilms).WithTags("Shelves")
            .WithSummary("Well-known released films to rate to start, those that teach the model most first (rating count and spread), then by the popularity prior.");
        return app;
    }

    private static async Task<Results<Ok<Page<MovieSummary>>, ValidationProblem>> GetFilms(
        string? limit, CatalogDbContext db, HybridCache cache, TimeProvider clock, CancellationToken ct)
    {
        var size = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxLimit))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["limit"] = [$"limit must be a whole number from 1 to {MaxLimit}."],
            });
        }
        var today = clock.Today();
        var films = await cache.GetOrCreateAsync(
            FormattableString.Invariant($"rate-to-start:{today:yyyy-MM-dd}:{size}"),
            ct => new ValueTask<Page<MovieSummary>>(ReadAsync(db, size, today, ct)),
            new HybridCacheEntryOptions { Expiration = TimeSpan.FromMinutes(1), LocalCacheExpiration = TimeSpan.FromSeconds(30) },
            [MoviesApi.ListsTag], ct);
        return TypedResults.Ok(films);
    }

    private static async Task<Page<MovieSummary>> ReadAsync(CatalogDbContext db, int limit, DateOnly today, CancellationToken ct)
    {
        // Scores from a narrow read of the pool; cards only for the films kept. The pool is read in the
        // order of ix_movie_sort_keys_votes (migration SortKeysOwnTable): keep the ORDER BY as it is, or Postgres sorts every film.
        var pool = await db.MovieSortKeys.AsNoTracking()
            .Where(k => k.Movie!.ReleaseDate != null ? k.Movie.ReleaseDate <= today : k.Year > 0 && k.Year < today.Year)
            .OrderByDescending(k => k.RatingCount + k.PriorVotes)
            .ThenByDescending(k => k.Popularity).ThenByDescending(k => k.Year).ThenBy(k => k.MovieId)
            .Take(Pool)
            .Select(k => new { Id = k.MovieId, Votes = k.RatingCount + k.PriorVotes, k.Movie!.Histogram })
            .ToListAsync(ct);
        // Sorting is stable: equal scores keep the pool's order.
        var ids = pool.OrderByDescending(m => Teaches(m.Votes, m.Histogram)).Take(limit).Select(m => m.Id).ToList();
        var films = await db.Movies.AsNoTracking().Include(m => m.Titles).AsSplitQuery()
            .Where(m => ids.Contains(m.Id)).ToDictionaryAsync(m => m.Id, ct);
        // Ratings may have arrived between the two reads: the films kept are ordered again by the
        // figures they are shown with, so the list always follows its own statistics.
        var kept = ids.Where(films.ContainsKey).Select(id => films[id])
            .OrderByDescending(m => Teaches(m.RatingCount + m.PriorVotes, m.Histogram));
        return new Page<MovieSummary>([.. kept.Select(m => m.ToSummary(today))], null);
    }

    /// <summary>ln(1 + ratings here and elsewhere) × (spread of the ratings here + 0.5).</summary>
    internal static double Teaches(int votes, IReadOnlyList<int> histogram) => Math.Log(1 + votes) * (Spread(histogram) + 0.5);

    /// <summary>The standard deviation, in stars, of the ratings in a half-star histogram (bucket i is (i + 1) / 2 stars).</summary>
    internal static double Spread(IReadOnlyList<int> histogram)
    {
        var count = histogram.Sum();
        if (count < 2)
        {
            return 0;
        }
        var mean = histogram.Select((n, i) => n * (i + 1) * 0.5).Sum() / count;
        return Math.Sqrt(histogram.Select((n, i) => n * Math.Pow(((i + 1) * 0.5) - mean, 2)).Sum() / count);
    }
}
