using Matcha.Catalog.Data;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Catalog.Movies;

/// <summary>
/// Filtered, sorted keyset pages of films: each sort walks its (value, id) index — the film's own
/// for title and year, <see cref="MovieSortKeys"/>' for the sorts by statistics.
/// </summary>
internal static class MovieBrowser
{
    public static async Task<Page<MovieSummary>> BrowseAsync(CatalogDbContext db, BrowseQuery query, DateOnly today, CancellationToken ct)
    {
        var movies = db.Movies.AsNoTracking().Include(m => m.Titles).AsSplitQuery().AsQueryable();
        if (query.Genre is { } genre)
        {
            movies = movies.Where(m => m.Genres.Contains(genre));
        }
        if (query.Country is { } country)
        {
            movies = movies.Where(m => m.Countries.Contains(country));
        }
        if (query.YearFrom is { } from)
        {
            movies = movies.Where(m => m.Year >= from);
        }
        if (query.YearTo is { } to)
        {
            movies = movies.Where(m => m.Year > 0 && m.Year <= to);
        }
        if (query.Released is { } released)
        {
            // The same rule as Movie.IsReleased, in SQL.
            movies = released
                ? movies.Where(m => m.ReleaseDate != null ? m.ReleaseDate <= today : m.Year > 0 && m.Year < today.Year)
                : movies.Where(m => m.ReleaseDate != null ? m.ReleaseDate > today : m.Year == 0 || m.Year >= today.Year);
        }

        var after = query.Cursor is null ? null : BrowseCursor.Decode(query.Cursor, query.SortOrDefault);
        movies = Order(db, movies, query.SortOrDefault, after);

        var fetched = await movies.Take(query.Size + 1).ToListAsync(ct);
        var page = fetched.Take(query.Size).Select(m => m.ToSummary(today)).ToList();
        var next = fetched.Count > query.Size ? BrowseCursor.After(fetched[query.Size - 1], query.SortOrDefault).Encode() : null;
        return new Page<MovieSummary>(page, next);
    }

    private static IQueryable<Movie> Order(CatalogDbContext db, IQueryable<Movie> movies, string sort, BrowseCursor? after)
    {
        switch (sort)
        {
            case "title":
                if (after is not null)
                {
                    // Translated to SQL "sort_title > @value": the database's collation, the same the ORDER BY uses.
#pragma warning disable CA1309
                    movies = movies.Where(m => string.Compare(m.SortTitle, after.Value) > 0 || (m.SortTitle == after.Value && m.Id > after.Id));
#pragma warning restore CA1309
                }
                return movies.OrderBy(m => m.SortTitle).ThenBy(m => m.Id);
            case "year":
                if (after is not null)
                {
                    var year = (int)after.NumericValue();
                    movies = movies.Where(m => m.Year < year || (m.Year == year && m.Id < after.Id));
                }
                return movies.OrderByDescending(m => m.Year).ThenByDescending(m => m.Id);
            case "rating":
                var byRating = SortKeys(db, movies);
                if (after is not null)
                {
                    var rating = after.NumericValue();
                    byRating = byRating.Where(x => x.Keys.AverageRating < rating || (x.Keys.AverageRating == rating && x.Keys.MovieId < after.Id));
                }
                return byRating.OrderByDescending(x => x.Keys.AverageRating).ThenByDescending(x => x.Keys.MovieId).Select(x => x.Movie);
            case "count":
                var byCount = SortKeys(db, movies);
                if (after is not null)
                {
                    var count = (int)after.NumericValue();
                    byCount = byCount.Where(x => x.Keys.RatingCount < count || (x.Keys.RatingCount == count && x.Keys.MovieId < after.Id));
                }
                return byCount.OrderByDescending(x => x.Keys.RatingCount).ThenByDescending(x => x.Keys.MovieId).Select(x => x.Movie);
            default:
                var byPopularity = SortKeys(db, movies);
                if (after is not null)
                {
                    var popularity = after.NumericValue();
                    byPopularity = byPopularity.Where(x => x.Keys.Popularity < popularity || (x.Keys.Popularity == popularity && x.Keys.MovieId < after.Id));
                }
                return byPopularity.OrderByDescending(x => x.Keys.Popularity).ThenByDescending(x => x.Keys.MovieId).Select(x => x.Movie);
        }
    }

    /// <summary>The films with their sort keys, whose indexes the sorts by statistics walk (the same values as the film's row).</summary>
    private static IQueryable<Sortable> SortKeys(CatalogDbContext db, IQueryable<Movie> movies) =>
        movies.Join(db.MovieSortKeys, m => m.Id, k => k.MovieId, (m, k) => new Sortable { Movie = m, Keys = k });

    /// <summary>Initialised by members, not a constructor, so that EF Core can translate what reads it.</summary>
    private sealed class Sortable
    {
        public required Movie Movie { get; init; }
        public required MovieSortKeys Keys { get; init; }
    }
}
