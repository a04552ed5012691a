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
/// The replica that applies a film's event drops its copy at once; the others' expire. The list is
/// read once however many requests find it expired together (<see cref="SharedEntries"/>), with a
/// DbContext of its own, since the request that started the read may end before it does.
/// </summary>
public sealed class FilmShelf(IMemoryCache cache, IServiceScopeFactory scopes, IOptions<RecommendationOptions> options)
{
    private static readonly object Key = new();

    /// <summary>Called once a film change has committed on this replica.</summary>
    public void Invalidate() => cache.Remove(Key);

    public Task<IReadOnlyList<ShelfFilm>> AllAsync(CancellationToken cancellationToken) =>
        cache.GetOrComputeAsync(Key, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = options.Value.FilmListLifetime }, ReadAsync, cancellationToken);

    private async Task<IReadOnlyList<ShelfFilm>> ReadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RatingsDbContext>();
        var films = await db.Movies.AsNoTracking()
            .Where(m => m.RemovedAt == null)
            .Select(m => new { m.Id, m.Genres, m.ReleaseDate, m.Year })
            .ToListAsync(cancellationToken);
        return [.. films.Select(f => new ShelfFilm(f.Id, [.. f.Genres], f.ReleaseDate, f.Year))];
    }
}
