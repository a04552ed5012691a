using System.Net;
using System.Net.Http.Json;
using Matcha.Catalog.Movies;
using Matcha.ServiceDefaults;

namespace Matcha.Tests.Catalog;

[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class BrowseTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task FiltersAndSortsReturnExactlyTheRightFilms()
    {
        var country = CatalogData.UniqueCountry();
        await using (var db = await CatalogData.ContextAsync(fixture))
        {
            db.Movies.AddRange(
                CatalogData.Film(country, "Alpha Drama", 1990, ["drama"], popularity: 5, rating: 4.0, count: 10),
                CatalogData.Film(country, "Bravo Thriller", 2001, ["thriller", "crime"], popularity: 9, rating: 3.5, count: 40),
                CatalogData.Film(country, "Charlie Drama", 2010, ["drama", "romance"], popularity: 1, rating: 4.5, count: 3),
                CatalogData.Film(country, "Delta Comedy", 2015, ["comedy"], popularity: 7, rating: 2.0, count: 25),
                CatalogData.Film(country, "Echo Future", DateTime.UtcNow.Year + 2, ["science-fiction"]));
            await db.SaveChangesAsync();
        }
        using var client = fixture.CreateGatewayClient();

        Assert.Equal(["Alpha Drama", "Charlie Drama"], await TitlesAsync(client, $"country={country}&genre=drama&sort=title"));
        Assert.Equal(["Delta Comedy", "Charlie Drama", "Bravo Thriller"], await TitlesAsync(client, $"country={country}&yearFrom=2000&yearTo=2020&sort=year"));
        Assert.Equal(["Charlie Drama", "Alpha Drama", "Bravo Thriller", "Delta Comedy", "Echo Future"], await TitlesAsync(client, $"country={country}&sort=rating"));
        Assert.Equal(["Bravo Thriller", "Delta Comedy", "Alpha Drama", "Charlie Drama", "Echo Future"], await TitlesAsync(client, $"country={country}&sort=count"));
        Assert.Equal(["Bravo Thriller", "Delta Comedy", "Alpha Drama", "Charlie Drama", "Echo Future"], await TitlesAsync(client, $"country={country}&sort=popularity"));
        Assert.Equal(["Echo Future"], await TitlesAsync(client, $"country={country}&released=false"));
        Assert.Equal(4, (await TitlesAsync(client, $"country={country}&released=true")).Count);
    }

    [Fact]
    public async Task KeysetPagesNeverRepeatOrSkipAFilmWhileFilmsAreInserted()
    {
        var country = CatalogData.UniqueCountry();
        await using var db = await CatalogData.ContextAsync(fixture);
        db.Movies.AddRange(Enumerable.Range(0, 40).Select(i => CatalogData.Film(country, $"Film {i:D2}", 1950 + (i % 7), ["drama"], popularity: i % 5)));
        await db.SaveChangesAsync();
        var original = db.Movies.Local.Select(m => m.Id).ToHashSet();
        using var client = fixture.CreateGatewayClient();

        foreach (var sort in BrowseQuery.Sorts)
        {
            var seen = new List<int>();
            string? cursor = null;
            var inserted = 0;
            do
            {
                var page = await client.GetFromJsonAsync<Page<MovieSummary>>(
                    $"/api/catalog/movies?country={country}&sort={sort}&pageSize=7" + (cursor is null ? "" : $"&cursor={cursor}"));
                seen.AddRange(page!.Items.Select(m => m.Id));
                cursor = page.NextCursor;

                // Someone adds films between two page requests, sorting anywhere in the list.
                db.Movies.Add(CatalogData.Film(country, $"Late {sort} {inserted++}", 1950 + (inserted % 7), ["drama"], popularity: inserted % 5));
                await db.SaveChangesAsync();
            }
            while (cursor is not null);

            Assert.Equal(seen.Count, seen.Distinct().Count());   // nothing twice
            Assert.Subset(seen.ToHashSet(), original);            // nothing of the original set skipped
        }
    }

    [Theory]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=101", "pageSize")]
    [InlineData("genre=cartoons", "genre")]
    [InlineData("country=korea", "country")]
    [InlineData("sort=random", "sort")]
    [InlineData("yearFrom=2020&yearTo=2000", "yearTo")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    public async Task InvalidBrowseInputIsAProblemNamingTheField(string query, string field)
    {
        using var client = fixture.CreateGatewayClient();

        using var response = await client.GetAsync($"/api/catalog/movies?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblem>();
        Assert.Contains(field, problem!.Errors.Keys);
    }

    private static async Task<List<string>> TitlesAsync(HttpClient client, string query)
    {
        var page = await client.GetFromJsonAsync<Page<MovieSummary>>($"/api/catalog/movies?{query}");
        return [.. page!.Items.Select(m => m.Titles["en"])];
    }

    private sealed record ValidationProblem(Dictionary<string, string[]> Errors);
}
