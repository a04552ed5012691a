using Matcha.Ratings.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Matcha.Ratings.Recommendations.Serving;

/// <summary>A film as recommendations filter it.</summary>
public sealed record ShelfFilm(int Id, string[] Genres, DateOnly? ReleaseDate, int Year)
{
    public bool IsReleasedOn(DateOnly day) => ReleaseDate is { } release ? release <= day : Year > 0 && Year < day.Year;
}

/// <summary>
/// Every film in Ratings' copy, held in memory for a short while
/// (<see cref="RecommendationOptions.FilmListLifetime"/>): ranking recommendations scores every
/// film, and reading them all from Postgres for each request would cost far more than scoring.
/// The replica that applies a film's event drops its copy at once; the others' expire.
/// </summary>
public sealed class FilmShelf(IMemoryCache cache, IOptions<RecommendationOptions> options)
{
    private static readonly object Key = new();

    /// <summary>Called once a film change has committed on this replica.</summary>
    public void Invalidate() => cache.Remove(Key);

    public async Task<IReadOnlyList<ShelfFilm>> AllAsync(RatingsDbContext db, CancellationToken cancellationToken) =>
        (await cache.GetOrCreateAsync(Key, async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = options.Value.FilmListLifetime;
            var films = await db.Movies.AsNoTracking()
                .Where(m => m.RemovedAt == null)
                .Select(m => new { m.Id, m.Genres, m.ReleaseDate, m.Year })
                .ToListAsync(cancellationToken);
            return (IReadOnlyList<ShelfFilm>)[.. films.Select(f => new ShelfFilm(f.Id, [.. f.Genres], f.ReleaseDate, f.Year))];
        }))!;
}
