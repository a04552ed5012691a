using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Matcha.Catalog.Movies;
using Matcha.Catalog.People;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Tests.Catalog;

[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class CatalogAdminTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task AnAdminsEditIsVisibleOnTheNextRead()
    {
        using var admin = await AdminClientAsync();
        var created = await CreateAsync(admin, "Cached Title");
        using var anonymous = fixture.CreateGatewayClient();
        var before = await anonymous.GetFromJsonAsync<MovieDetail>($"/api/catalog/movies/{created.Id}");   // now cached
        var firstPage = await anonymous.GetFromJsonAsync<Matcha.ServiceDefaults.Page<MovieSummary>>($"/api/catalog/movies?country={Country}&sort=title");

        using var update = await admin.PutAsJsonAsync($"/api/catalog/movies/{created.Id}", Input("Edited Title") with { Version = before!.Version });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);

        var after = await anonymous.GetFromJsonAsync<MovieDetail>($"/api/catalog/movies/{created.Id}");
        Assert.Equal("Edited Title", after!.Titles["en"]);
        Assert.Equal(before.Version + 1, after.Version);
        var list = await anonymous.GetFromJsonAsync<Matcha.ServiceDefaults.Page<MovieSummary>>($"/api/catalog/movies?country={Country}&sort=title");
        Assert.Contains(firstPage!.Items, m => m.Id == created.Id);
        Assert.Contains(list!.Items, m => m.Id == created.Id && m.Titles["en"] == "Edited Title");
        var found = await anonymous.GetFromJsonAsync<Matcha.ServiceDefaults.Page<MovieSummary>>("/api/catalog/movies?q=edited%20title");
        Assert.Contains(found!.Items, m => m.Id == created.Id);
    }

    [Fact]
    public async Task CreditsMakeAFilmFindableByItsPeopleAndShowInTheirFilmography()
    {
        using var admin = await AdminClientAsync();
        var created = await CreateAsync(admin, "Credited Film");
        using var person = await admin.PostAsJsonAsync("/api/catalog/people", new { names = new Dictionary<string, string> { ["en"] = "Zelda Quarrington", ["ko"] = "젤다 쿼링턴" } });
        var director = (await person.Content.ReadFromJsonAsync<PersonSummary>())!;

        using var credits = await admin.PutAsJsonAsync($"/api/catalog/movies/{created.Id}/credits", new[] { new CreditInput(director.Id, "director", null, null) });
        Assert.Equal(HttpStatusCode.OK, credits.StatusCode);

        using var anonymous = fixture.CreateGatewayClient();
        var byName = await anonymous.GetFromJsonAsync<Matcha.ServiceDefaults.Page<MovieSummary>>("/api/catalog/movies?q=quarrington");
        Assert.Equal(created.Id, byName!.Items[0].Id);
        var filmography = await anonymous.GetFromJsonAsync<PersonDetail>($"/api/catalog/people/{director.Id}");
        Assert.Contains(filmography!.Filmography, f => f.Movie.Id == created.Id && f.Role == "director");
    }

    [Fact]
    public async Task ANonAdminCannotEditTheCatalogue()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (tokens, _) = await gateway.SignUpAndLoginAsync();
        gateway.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        await using var db = await CatalogData.ContextAsync(fixture);
        var count = await db.Movies.CountAsync();

        using var response = await gateway.PostAsJsonAsync("/api/catalog/movies", Input("Not Allowed"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(count, await db.Movies.CountAsync());
    }

    [Fact]
    public async Task AnonymousWritesAreRefusedAtTheGateway()
    {
        using var gateway = fixture.CreateGatewayClient();

        using var response = await gateway.PostAsJsonAsync("/api/catalog/movies", Input("Anonymous"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("titles")]
    [InlineData("year")]
    [InlineData("genres")]
    [InlineData("countries")]
    [InlineData("imdbId")]
    [InlineData("posterUrl")]
    [InlineData("runtime")]
    public async Task InvalidFilmInputIsAProblemNamingTheFieldAndChangesNothing(string field)
    {
        using var admin = await AdminClientAsync();
        var created = await CreateAsync(admin, "Untouched");
        var input = field switch
        {
            "titles" => Input("x") with { Titles = [] },
            "year" => Input("x") with { Year = 1700 },
            "genres" => Input("x") with { Genres = ["cartoons"] },
            "countries" => Input("x") with { Countries = ["Korea"] },
            "imdbId" => Input("x") with { ImdbId = "12345" },
            "posterUrl" => Input("x") with { PosterUrl = "javascript:alert(1)" },
            _ => Input("x") with { Runtime = -5 },
        };

        using var response = await admin.PutAsJsonAsync($"/api/catalog/movies/{created.Id}", input);

        Assert.Contains(field, await response.ProblemFieldsAsync());
        var after = await admin.GetFromJsonAsync<MovieDetail>($"/api/catalog/movies/{created.Id}");
        Assert.Equal("Untouched", after!.Titles["en"]);
        Assert.Equal(created.Version, after.Version);
    }

    [Fact]
    public async Task AStaleVersionIsRefusedWithAConflict()
    {
        using var admin = await AdminClientAsync();
        var created = await CreateAsync(admin, "Version One");
        using var first = await admin.PutAsJsonAsync($"/api/catalog/movies/{created.Id}", Input("Version Two") with { Version = created.Version });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        using var stale = await admin.PutAsJsonAsync($"/api/catalog/movies/{created.Id}", Input("Lost Update") with { Version = created.Version });

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);
        var after = await admin.GetFromJsonAsync<MovieDetail>($"/api/catalog/movies/{created.Id}");
        Assert.Equal("Version Two", after!.Titles["en"]);
    }

    [Fact]
    public async Task ADeletedFilmIsGoneOnTheNextRead()
    {
        using var admin = await AdminClientAsync();
        var created = await CreateAsync(admin, "Short Lived");
        using var anonymous = fixture.CreateGatewayClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/api/catalog/movies/{created.Id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/catalog/movies/{created.Id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/api/catalog/movies/{created.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/api/catalog/movies/{created.Id}")).StatusCode);
    }

    private const string Country = "XQ";

    private static MovieInput Input(string title) => new(
        Titles: new() { ["en"] = title, ["ko"] = "시험 영화" },
        OriginalTitle: title,
        OriginalLanguage: "en",
        Year: 2004,
        ReleaseDate: new DateOnly(2004, 3, 1),
        Runtime: 101,
        Genres: ["drama"],
        Countries: [Country],
        Synopsis: new() { ["en"] = "A film made for a test." },
        PosterUrl: null,
        ImdbId: null,
        TmdbId: null,
        Version: null);

    private static async Task<MovieDetail> CreateAsync(HttpClient admin, string title)
    {
        using var response = await admin.PostAsJsonAsync("/api/catalog/movies", Input(title));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<MovieDetail>())!;
    }

    private async Task<HttpClient> AdminClientAsync()
    {
        var client = fixture.CreateGatewayClient();
        var tokens = await client.LoginAsync(await fixture.ParameterAsync("admin-email"), await fixture.ParameterAsync("admin-password"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        return client;
    }
}
