using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matcha.Tests.WebApp;

/// <summary>
/// A first visit is never empty: the home screen's rows that need no ratings (Catalog's shelves) —
/// new releases, Korean films, a few genres — come from the catalogue alone, each in the order of
/// the popularity prior, and follow the ratings once they come.
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class HomeShelvesTests(MatchaAppFixture fixture)
{
    private static readonly string[] ExpectedShelves = ["new-releases", "korean", "genre-drama", "genre-comedy", "genre-action", "genre-animation"];

    [Fact]
    public async Task AnAnonymousHomeHasRowsThatNeedNoRatingsEachInPriorOrder()
    {
        using var gateway = fixture.CreateGatewayClient();

        // The gateway refreshes the home's shared lists every 2 s: wait out a copy read while Catalog was still warming up.
        var home = await EventsDriver.EventuallyAsync(() => gateway.GetFromJsonAsync<JsonElement>("/api/screens/home"),
            screen => screen.GetProperty("unavailable").GetArrayLength() == 0, TimeSpan.FromSeconds(30));

        Assert.True(home.GetProperty("unavailable").GetArrayLength() == 0, home.GetProperty("reasons").ToString());
        var shelves = home.GetProperty("shelves").EnumerateArray().ToList();
        Assert.Equal(ExpectedShelves, shelves.Select(s => s.GetProperty("id").GetString()));
        foreach (var shelf in shelves)
        {
            var id = shelf.GetProperty("id").GetString()!;
            var films = shelf.GetProperty("items").EnumerateArray().ToList();
            // The seeded catalogue alone fills every row: 75 Korean films, hundreds of dramas.
            Assert.True(films.Count == 12, $"{id} has {films.Count} films, not 12");
            Assert.False(string.IsNullOrEmpty(shelf.GetProperty("names").GetProperty("en").GetString()));
            Assert.All(films, film => Assert.True(film.GetProperty("released").GetBoolean(), $"{id}: film {film.GetProperty("id")} is not released"));
            if (id == "korean")
            {
                Assert.All(films, film => Assert.Contains("KR", Strings(film, "countries")));
            }
            if (id.StartsWith("genre-", StringComparison.Ordinal))
            {
                Assert.All(films, film => Assert.Contains(id["genre-".Length..], Strings(film, "genres")));
            }
            var prior = films.Select(Prior).ToList();
            Assert.True(prior.SequenceEqual(prior.Order(StringComparer.Ordinal)), $"{id} is not in prior order: {string.Join(" | ", prior)}");
        }
    }

    [Fact]
    public async Task NewReleasesAreAmongTheNewestReleasedFilms()
    {
        using var gateway = fixture.CreateGatewayClient();

        var shelves = await gateway.GetFromJsonAsync<JsonElement>("/api/catalog/shelves");
        var newest = await gateway.GetFromJsonAsync<JsonElement>("/api/catalog/movies?sort=year&released=true&pageSize=48");

        var releases = shelves.GetProperty("shelves")[0];
        Assert.Equal("new-releases", releases.GetProperty("id").GetString());
        var cutoff = newest.GetProperty("items").EnumerateArray().Min(film => film.GetProperty("year").GetInt32());
        Assert.All(releases.GetProperty("items").EnumerateArray(), film => Assert.True(film.GetProperty("year").GetInt32() >= cutoff,
            $"film {film.GetProperty("id")} of {film.GetProperty("year")} is older than the 48 newest (from {cutoff})"));
    }

    [Fact]
    public async Task ARatedFilmMovesUpItsRowOnceTheRatingArrives()
    {
        using var gateway = fixture.CreateGatewayClient();
        var film = await fixture.AddKoreanFilmAsync();
        var fans = new[] { await gateway.NewFanAsync(), await gateway.NewFanAsync(), await gateway.NewFanAsync() };
        // Unrated, it sits among the films nobody rated, after every film with any popularity.
        var before = Place(await KoreanShelfAsync(gateway), film.Id);

        foreach (var fan in fans)
        {
            Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, film.Id, 4.0));
            Assert.Equal(HttpStatusCode.NoContent, await gateway.WishAsync(fan, film.Id));
        }

        // Popularity counts ratings and wishes: the film climbs its row.
        var after = await EventsDriver.EventuallyAsync(() => KoreanShelfAsync(gateway), ids => Place(ids, film.Id) < before, TimeSpan.FromSeconds(60));
        Assert.True(Place(after, film.Id) < before, $"still at {Place(after, film.Id)}, was at {before}");
    }

    private static int Place(List<int> ids, int id) => ids.IndexOf(id) is var i and >= 0 ? i : int.MaxValue;

    [Fact]
    public async Task TheDefaultCatalogueCarriesMovieLensRatingCountsAsItsPrior()
    {
        using var gateway = fixture.CreateGatewayClient();
        // Forrest Gump: 329 ratings in ml-latest-small, the most of any film there.
        var id = await fixture.QueryAsync<int>("catalogdb", "SELECT id FROM movies WHERE movie_lens_id = @p0", 356);

        var cards = await gateway.GetFromJsonAsync<JsonElement>($"/api/catalog/movies/cards?ids={id}");

        Assert.Equal(329, cards.GetProperty("items")[0].GetProperty("priorVotes").GetInt32());
        // A film MovieLens' small set does not have starts at zero.
        Assert.Equal(0, await fixture.QueryAsync<int>("catalogdb", "SELECT prior_votes FROM movies WHERE id = @p0", await fixture.AddFilmAsync()));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("31")]
    [InlineData("twelve")]
    public async Task ABadLimitIsA400NamingIt(string limit)
    {
        using var gateway = fixture.CreateGatewayClient();

        using var response = await gateway.GetAsync($"/api/catalog/shelves?limit={limit}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("limit", out _), problem.ToString());
    }

    [Fact]
    public async Task ShelvesArePublicOnPurpose()
    {
        // A first visit is anonymous: the rows must need no account, as every catalogue read.
        using var gateway = fixture.CreateGatewayClient();

        using var response = await gateway.GetAsync("/api/catalog/shelves?limit=3");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var shelves = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.All(shelves.GetProperty("shelves").EnumerateArray(), shelf => Assert.Equal(3, shelf.GetProperty("items").GetArrayLength()));
    }

    private static async Task<List<int>> KoreanShelfAsync(HttpClient gateway)
    {
        var shelves = await gateway.GetFromJsonAsync<JsonElement>("/api/catalog/shelves?limit=30");
        return [.. shelves.GetProperty("shelves").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "korean")
            .GetProperty("items").EnumerateArray().Select(film => film.GetProperty("id").GetInt32())];
    }

    private static IEnumerable<string> Strings(JsonElement film, string property) =>
        film.GetProperty(property).EnumerateArray().Select(value => value.GetString()!);

    /// <summary>The prior as one sortable key: popularity plus ratings elsewhere, rating count and year highest first, then id.</summary>
    private static string Prior(JsonElement film) => string.Create(CultureInfo.InvariantCulture,
        $"{1e12 - film.GetProperty("popularity").GetDouble() - film.GetProperty("priorVotes").GetInt32():000000000000000.000}/{1e9 - film.GetProperty("stats").GetProperty("count").GetInt32():0000000000}/{9999 - (film.TryGetProperty("year", out var y) && y.ValueKind == JsonValueKind.Number ? y.GetInt32() : 0):0000}/{film.GetProperty("id").GetInt32():0000000000}");
}
