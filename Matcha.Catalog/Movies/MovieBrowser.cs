using Matcha.Catalog.Data;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Catalog.Movies;

/// <summary>Filtered, sorted keyset pages of films: each sort walks its (value, id) index.</summary>
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
        movies = Order(movies, query.SortOrDefault, after);

        var fetched = await movies.Take(query.Size + 1).ToListAsync(ct);
        var page = fetched.Take(query.Size).Select(m => m.ToSummary(today)).ToList();
        var next = fetched.Count > query.Size ? BrowseCursor.After(fetched[query.Size - 1], query.SortOrDefault).Encode() : null;
        return new Page<MovieSummary>(page, next);
    }

    private static IQueryable<Movie> Order(IQueryable<Movie> movies, string sort, BrowseCursor? after)
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
                if (after is not null)
                {
                    var rating = after.NumericValue();
                    movies = movies.Where(m => m.AverageRating < rating || (m.AverageRating == rating && m.Id < after.Id));
                }
                return movies.OrderByDescending(m => m.AverageRating).ThenByDescending(m => m.Id);
            case "count":
                if (after is not null)
                {
                    var count = (int)after.NumericValue();
                    movies = movies.Where(m => m.RatingCount < count || (m.RatingCount == count && m.Id < after.Id));
                }
                return movies.OrderByDescending(m => m.RatingCount).ThenByDescending(m => m.Id);
            default:
                if (after is not null)
                {
                    var popularity = after.NumericValue();
                    movies = movies.Where(m => m.Popularity < popularity || (m.Popularity == popularity && m.Id < after.Id));
                }
                return movies.OrderByDescending(m => m.Popularity).ThenByDescending(m => m.Id);
        }
    }
}
