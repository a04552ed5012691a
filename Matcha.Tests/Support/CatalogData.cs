using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Matcha.Data;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Tests.Support;

/// <summary>
/// Writes films straight into the fixture's catalogdb, for tests that need a known data set of
/// their own. Each test marks its films with a country code of its own from ISO's user-assigned
/// range (XA–XZ), so filters can pick out exactly its films among everyone else's.
/// </summary>
internal static class CatalogData
{
    public static async Task<CatalogDbContext> ContextAsync(MatchaAppFixture fixture)
    {
        var dataSource = Npgsql.NpgsqlDataSource.Create(await fixture.ConnectionStringAsync("catalogdb"));
        var options = new DbContextOptionsBuilder<CatalogDbContext>();
        options.UseServiceDatabase(dataSource);
        return new CatalogDbContext(options.Options);
    }

    public static Movie Film(string country, string title, int year, string[] genres, double popularity = 0, double rating = 0, int count = 0)
    {
        var movie = new Movie
        {
            OriginalLanguage = "en",
            OriginalTitle = title,
            Titles = [new MovieTitle { Language = "en", Title = title }],
            Year = year,
            ReleaseDate = new DateOnly(year, 6, 1),
            Genres = [.. genres],
            Countries = [country],
            Popularity = popularity,
            AverageRating = rating,
            RatingCount = count,
        };
        movie.RefreshSearchFields();
        return movie;
    }

    /// <summary>A country code no other test uses: XA…XZ, handed out once per test run.</summary>
    public static string UniqueCountry() => $"X{(char)('A' + Interlocked.Increment(ref _next) % 26)}";

    private static int _next = -1;
}
