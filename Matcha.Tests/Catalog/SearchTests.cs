using System.Net.Http.Json;
using Matcha.Catalog.Movies;
using Matcha.Catalog.Search;
using Matcha.ServiceDefaults;

namespace Matcha.Tests.Catalog;

/// <summary>Search over the default catalogue, the way a person types.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class SearchTests(MatchaAppFixture fixture)
{
    [Theory]
    [InlineData("기생", "Parasite")]                 // a Korean fragment: Hangul has no stemming
    [InlineData("기생충", "Parasite")]               // the exact Korean title
    [InlineData("parasi", "Parasite")]              // an English prefix
    [InlineData("PARASITE", "Parasite")]            // any case
    [InlineData("Parasote", "Parasite")]            // one letter wrong
    [InlineData("살인의 추억", "Memories of Murder")]  // a Korean title with a space
    [InlineData("amelie", "Amélie")]                // accents do not matter
    [InlineData("spirited", "Spirited Away")]       // an English fragment
    [InlineData("千と千尋", "Spirited Away")]         // the original Japanese title
    public async Task FindsTheFilmAPersonMeansFirst(string query, string expectedEnglishTitle)
    {
        using var client = fixture.CreateGatewayClient();

        var page = await client.GetFromJsonAsync<Page<MovieSummary>>($"/api/catalog/movies?q={Uri.EscapeDataString(query)}");

        Assert.NotEmpty(page!.Items);
        Assert.Equal(expectedEnglishTitle, page.Items[0].Titles["en"]);
    }

    [Theory]
    [InlineData("봉준호", "Parasite")]
    [InlineData("Bong Joon", "Parasite")]
    [InlineData("Christopher Nolan", "Inception")]
    public async Task FindsFilmsByTheirDirectorsName(string director, string film)
    {
        using var client = fixture.CreateGatewayClient();

        var result = await client.GetFromJsonAsync<SearchResult>($"/api/catalog/search?q={Uri.EscapeDataString(director)}");

        Assert.Contains(result!.Movies, m => m.Titles["en"] == film);
        Assert.Contains(result.People, p => p.Names.Values.Any(n => n.Contains(director, StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task ADirectorsFilmsComeBackInPriorOrderNotInsertionOrder()
    {
        // The seed lists Nolan's films oldest first, so ordering by id would put Batman Begins first. Other tests in the
        // shared app may rate some of them, hence the order is checked against each film's own popularity, rating count
        // and year rather than a fixed list: equal popularity and counts must fall to the newer film.
        string[] nolans = ["Batman Begins", "The Prestige", "The Dark Knight", "Inception", "Interstellar", "Tenet", "Oppenheimer"];
        using var client = fixture.CreateGatewayClient();

        var result = await client.GetFromJsonAsync<SearchResult>("/api/catalog/search?q=Christopher%20Nolan");

        var films = result!.Movies.Where(m => nolans.Contains(m.Titles["en"])).ToList();
        Assert.Equal(nolans.Length, films.Count);
        var byPrior = films
            .OrderByDescending(m => m.Popularity).ThenByDescending(m => m.Stats.Count).ThenByDescending(m => m.Year)
            .Select(m => m.Titles["en"]);
        Assert.Equal(byPrior, films.Select(m => m.Titles["en"]));
    }

    [Fact]
    public async Task FilmsOfTheSameYearFallToTheirMovieLensRatingsNotTheSeedsOrder()
    {
        // The seed lists Schindler's List (220 MovieLens ratings) before Jurassic Park (238), both 1993: on a fresh
        // catalogue, equal in popularity, count and year, the film more people rated elsewhere comes first, not the
        // lower id. Other tests may rate some of Spielberg's films, so the whole order is checked against each film's own
        // prior (popularity, rating count, year, MovieLens ratings).
        using var client = fixture.CreateGatewayClient();

        var result = await client.GetFromJsonAsync<SearchResult>("/api/catalog/search?q=Steven%20Spielberg");

        // His films (a query of two words also finds, after them, typo matches of each: Steven Yeun's films).
        string[] spielbergs = ["Jaws", "Close Encounters of the Third Kind", "Raiders of the Lost Ark", "E.T. the Extra-Terrestrial",
            "Indiana Jones and the Last Crusade", "Schindler's List", "Jurassic Park", "Saving Private Ryan"];
        var films = result!.Movies.Where(m => spielbergs.Contains(m.Titles["en"])).ToList();
        Assert.Equal(spielbergs.Length, films.Count);
        Assert.Contains(films, m => m.Titles["en"] == "Jurassic Park" && m.PriorVotes == 238);
        Assert.Contains(films, m => m.Titles["en"] == "Schindler's List" && m.PriorVotes == 220);
        var byPrior = films
            .OrderByDescending(m => m.Popularity).ThenByDescending(m => m.Stats.Count).ThenByDescending(m => m.Year).ThenByDescending(m => m.PriorVotes)
            .Select(m => m.Titles["en"]);
        Assert.Equal(byPrior, films.Select(m => m.Titles["en"]));
    }

    [Fact]
    public async Task AFilmAnotherWriterAddsIsSearchableWithinTheIndexesBound()
    {
        // Written straight into catalogdb (as the importer CLI, another replica or a COPY would): Catalog's in-memory index
        // learns of it from Postgres' change log, polled every second (docs/catalog.md, "Freshness").
        var word = $"lantern{Guid.NewGuid():N}"[..20];
        using var client = fixture.CreateGatewayClient();
        var id = await fixture.WriteFilmAsync(shape: m => m.Titles = [new MovieTitle { Language = "en", Title = $"The {word}" }]);

        var found = await EventsDriver.EventuallyAsync(
            async () => (await client.GetFromJsonAsync<Page<MovieSummary>>($"/api/catalog/movies?q={word}"))!.Items.Select(m => m.Id).ToList(),
            ids => ids.Contains(id), TimeSpan.FromSeconds(15));

        Assert.Contains(id, found);
    }

    [Fact]
    public async Task AnEmptyQueryIsAProblemNamingQ()
    {
        using var client = fixture.CreateGatewayClient();

        using var response = await client.GetAsync("/api/catalog/search?q=");

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"q\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
