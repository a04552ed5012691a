using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matcha.Tests.WebApp;

/// <summary>
/// Rate to start: batches of well-known films, those that teach the model most first; what I rated,
/// have not seen or skipped does not come back; the ratings are ordinary ratings.
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class RateToStartTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task TheNextBatchLeavesOutWhatIRatedHaveNotSeenSkippedOrAmNotInterestedIn()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();

        var first = await gateway.GetAsync<JsonElement>(fan, "/api/screens/rate-to-start");
        Assert.Equal(0, first.GetProperty("rated").GetInt32());
        Assert.Equal(20, first.GetProperty("target").GetInt32());
        var films = Ids(first);
        Assert.Equal(10, films.Count);
        var (rated, unseen, skipped, uninterested) = (films[0], films[1], films[2], films[3]);

        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, rated, 4.5));
        using (var marked = await gateway.SendAsync(fan, HttpMethod.Put, $"/api/ratings/movies/{unseen}/unseen"))
        {
            Assert.Equal(HttpStatusCode.NoContent, marked.StatusCode);
        }
        using (var again = await gateway.SendAsync(fan, HttpMethod.Put, $"/api/ratings/movies/{unseen}/unseen"))
        {
            Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);   // marking twice is harmless
        }
        Assert.Equal(HttpStatusCode.NoContent, await gateway.WishAsync(fan, uninterested, "notInterested"));

        var next = await gateway.GetAsync<JsonElement>(fan, $"/api/screens/rate-to-start?skip={skipped}");
        Assert.Equal(1, next.GetProperty("rated").GetInt32());
        var offered = Ids(next);
        Assert.Equal(10, offered.Count);
        Assert.DoesNotContain(rated, offered);
        Assert.DoesNotContain(unseen, offered);
        Assert.DoesNotContain(skipped, offered);
        Assert.DoesNotContain(uninterested, offered);
        // The rest keep their order: the batch moves on by the four films I am done with.
        Assert.Equal(films.Skip(4), offered.Take(6));

        // An ordinary rating: the film screen shows it as mine, and Catalog counts it.
        // (A screen names Ratings unavailable when it is slow to answer, on a busy machine: read it again then.)
        var screen = await EventsDriver.EventuallyAsync(
            () => gateway.GetAsync<JsonElement>(fan, $"/api/screens/movie/{rated}"),
            film => film.GetProperty("mine").ValueKind == JsonValueKind.Object);
        Assert.Equal(4.5, screen.GetProperty("mine").GetProperty("score").GetDouble());

        // "Haven't seen" can be taken back; the film is offered again.
        using (var cleared = await gateway.SendAsync(fan, HttpMethod.Delete, $"/api/ratings/movies/{unseen}/unseen"))
        {
            Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        }
        Assert.Contains(unseen, Ids(await gateway.GetAsync<JsonElement>(fan, "/api/screens/rate-to-start")));
    }

    [Fact]
    public async Task ADivisiveFilmComesBeforeOneEveryoneAgreesOn()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (divisive, agreed) = (await fixture.AddFilmAsync(), await fixture.AddFilmAsync());
        // Both as well known elsewhere as the best-known imported film, so both are candidates
        // whatever else the catalogue holds (a MovieLens import in this collection gives thousands
        // of films prior votes; the importer is the only writer of them, so the test writes them as it would).
        await fixture.QueryAsync<int>("catalogdb",
            "UPDATE movies SET prior_votes = (SELECT max(prior_votes) + 1 FROM movies) WHERE id IN (@p0, @p1)", divisive, agreed);
        double[] split = [1.0, 5.0, 1.0, 5.0];
        for (var i = 0; i < split.Length; i++)
        {
            var fan = await gateway.NewFanAsync();
            Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, divisive, split[i]));
            Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, agreed, 4.0));
        }

        // The same number of ratings and of votes elsewhere; the spread decides. The list follows statistics within a few seconds.
        var films = await EventsDriver.EventuallyAsync(
            async () => (await gateway.GetFromJsonAsync<JsonElement>("/api/catalog/rate-to-start")).GetProperty("items").EnumerateArray().ToList(),
            items => items.Any(film => film.GetProperty("id").GetInt32() == divisive), TimeSpan.FromSeconds(60));
        var places = films.Select(film => film.GetProperty("id").GetInt32()).ToList();
        Assert.Contains(divisive, places);
        Assert.True(places.IndexOf(agreed) is -1 || places.IndexOf(divisive) < places.IndexOf(agreed));

        // And the whole list is in the documented order: ln(1 + ratings here and elsewhere) × (spread + 0.5), highest first.
        var scores = films.Select(Teaches).ToList();
        Assert.True(scores.Zip(scores.Skip(1)).All(pair => pair.First >= pair.Second - 1e-9), string.Join(", ", scores));
    }

    [Fact]
    public async Task RateToStartNeedsSignInAndNamesBadInput()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();

        using (var anonymous = await gateway.GetAsync("/api/screens/rate-to-start"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }
        using (var anonymous = await gateway.PutAsync("/api/ratings/movies/1/unseen", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }
        using (var unknown = await gateway.SendAsync(fan, HttpMethod.Put, $"/api/ratings/movies/{int.MaxValue}/unseen"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }
        foreach (var (path, field) in new[]
        {
            ("/api/screens/rate-to-start?skip=0", "skip"),
            ("/api/screens/rate-to-start?skip=abc", "skip"),
            ("/api/ratings/me/rate-to-start?ids=", "ids"),
            ("/api/catalog/rate-to-start?limit=101", "limit"),
        })
        {
            using var response = await gateway.SendAsync(fan, HttpMethod.Get, path);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode}");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{path}: {problem}");
        }
    }

    private static List<int> Ids(JsonElement screen) =>
        [.. screen.GetProperty("films").EnumerateArray().Select(film => film.GetProperty("id").GetInt32())];

    private static double Teaches(JsonElement film)
    {
        var stats = film.GetProperty("stats");
        var histogram = stats.GetProperty("histogram").EnumerateArray().Select(n => n.GetInt32()).ToArray();
        var count = histogram.Sum();
        var spread = 0.0;
        if (count >= 2)
        {
            var mean = histogram.Select((n, i) => n * (i + 1) * 0.5).Sum() / count;
            spread = Math.Sqrt(histogram.Select((n, i) => n * Math.Pow(((i + 1) * 0.5) - mean, 2)).Sum() / count);
        }
        return Math.Log(1 + stats.GetProperty("count").GetInt32() + film.GetProperty("priorVotes").GetInt32()) * (spread + 0.5);
    }
}
