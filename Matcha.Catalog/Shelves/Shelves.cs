using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Catalog.Shelves;

/// <summary>A row of the home screen that needs no ratings: its id, its heading in each language, and its films.</summary>
public sealed record Shelf(string Id, IReadOnlyDictionary<string, string> Names, IReadOnlyList<MovieSummary> Items);

public sealed record ShelfSet(IReadOnlyList<Shelf> Shelves);

/// <summary>
/// The rows a first visit sees before anyone has rated anything: new releases, Korean films and a
/// few genres, each ordered by the catalogue's popularity prior — the search's order,
/// <c>popularity DESC, rating_count DESC, year DESC, id</c> (docs/catalog.md) — so they fill from
/// the catalogue alone and follow the ratings once they come.
/// </summary>
internal static class ShelfReader
{
    /// <summary>The genres that get a row, in the order shown.</summary>
    public static readonly string[] Genres = ["drama", "comedy", "action", "animation"];

    /// <summary>New releases are the prior's best among this many most recently released films per film shown.</summary>
    private const int RecentPerShown = 4;

    public static async Task<ShelfSet> ReadAsync(CatalogDbContext db, int limit, DateOnly today, CancellationToken ct)
    {
        var shelves = new List<Shelf>
        {
            new("new-releases", new Dictionary<string, string> { ["en"] = "New releases", ["ko"] = "최신 개봉작" },
                await NewReleasesAsync(db, limit, today, ct)),
            new("korean", new Dictionary<string, string> { ["en"] = "Korean films", ["ko"] = "한국 영화" },
                await ByPriorAsync(db, Released(db.Movies, today).Where(m => m.Countries.Contains("KR")), limit, today, ct)),
        };
        foreach (var genre in Genres)
        {
            var (en, ko) = Movies.Genres.All[genre];
            shelves.Add(new($"genre-{genre}", new Dictionary<string, string> { ["en"] = en, ["ko"] = ko },
                await ByPriorAsync(db, Released(db.Movies, today).Where(m => m.Genres.Contains(genre)), limit, today, ct)));
        }
        return new ShelfSet(shelves);
    }

    /// <summary>
    /// The most recently released films (by year, then release date), the prior's
    /// best of them first: recent enough to be new, known enough to be worth a look. Bounded, so a
    /// catalogue whose newest film is years old still has the row.
    /// </summary>
    private static async Task<IReadOnlyList<MovieSummary>> NewReleasesAsync(CatalogDbContext db, int limit, DateOnly today, CancellationToken ct)
    {
        var recent = Released(db.Movies, today)
            .OrderByDescending(m => m.Year).ThenByDescending(m => m.ReleaseDate.HasValue).ThenByDescending(m => m.ReleaseDate).ThenByDescending(m => m.Id)
            .Take(limit * RecentPerShown);
        return await ByPriorAsync(db, recent, limit, today, ct);
    }

    private static async Task<IReadOnlyList<MovieSummary>> ByPriorAsync(CatalogDbContext db, IQueryable<Movie> movies, int limit, DateOnly today, CancellationToken ct)
    {
        var ids = await movies
            .OrderByDescending(m => m.Popularity).ThenByDescending(m => m.RatingCount).ThenByDescending(m => m.Year).ThenBy(m => m.Id)
            .Select(m => m.Id).Take(limit).ToListAsync(ct);
        var films = await db.Movies.AsNoTracking().Include(m => m.Titles).AsSplitQuery()
            .Where(m => ids.Contains(m.Id)).ToDictionaryAsync(m => m.Id, ct);
        return [.. ids.Where(films.ContainsKey).Select(id => films[id].ToSummary(today))];
    }

    /// <summary>The same rule as <c>Movie.IsReleased</c>, in SQL: only films one can rate.</summary>
    private static IQueryable<Movie> Released(IQueryable<Movie> movies, DateOnly today) =>
        movies.Where(m => m.ReleaseDate != null ? m.ReleaseDate <= today : m.Year > 0 && m.Year < today.Year);
}
