using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matcha.Tests.Chaos;

/// <summary>
/// With chaos on (30 % faults and 500 ms latency injected into the gateway's calls to Catalog and
/// Ratings, <see cref="MatchaChaosAppFixture"/>): every screen still answers within its deadline
/// and names what it is missing and why, the circuits open and half-open where the metrics show
/// it, and a write is applied exactly once.
/// </summary>
[Collection(MatchaChaosAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "AppHostVariant")]
public sealed class ChaosTests(MatchaChaosAppFixture fixture)
{
    /// <summary>Catalog then Ratings, each within its 2 s deadline, with room for a loaded machine.</summary>
    private static readonly TimeSpan ScreenDeadline = TimeSpan.FromSeconds(10);

    private static readonly string[] Services = ["catalog", "ratings"];

    [Fact]
    public async Task EveryScreenAnswersWithinItsDeadlineAndNamesWhatItIsMissing()
    {
        var film = await fixture.AddKoreanFilmAsync();
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        var person = (await gateway.GetFromJsonAsync<JsonElement>($"/api/catalog/movies/{film.Id}"))
            .GetProperty("credits").EnumerateArray().First().GetProperty("personId").GetInt32();
        string[] screens = ["/api/screens/home", $"/api/screens/movie/{film.Id}", $"/api/screens/person/{person}", "/api/screens/me"];

        var missing = 0;
        for (var round = 0; round < 12; round++)
        {
            foreach (var path in screens)
            {
                var watch = Stopwatch.StartNew();
                using var response = await gateway.SendAsync(fan, HttpMethod.Get, path);
                watch.Stop();

                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.True(watch.Elapsed < ScreenDeadline, $"{path} took {watch.Elapsed.TotalSeconds:F1} s under chaos");
                var screen = await response.Content.ReadFromJsonAsync<JsonElement>();
                var unavailable = screen.GetProperty("unavailable").EnumerateArray().Select(e => e.GetString()!).ToList();
                var reasons = screen.GetProperty("reasons");
                Assert.All(unavailable, part => Assert.False(string.IsNullOrEmpty(reasons.GetProperty(part).GetString()), $"{path} names {part} missing without a reason"));
                missing += unavailable.Count;
            }
        }

        // Chaos is on: some part of some screen was missing (one retry makes a part fail 9 % of the time).
        Assert.True(missing > 0, "48 screens under 30 % injected faults, and none missed anything: is chaos on?");
    }

    [Fact]
    public async Task TheScreensCircuitsOpenAndHalfOpenWhereTheMetricsShow()
    {
        var film = await fixture.AddKoreanFilmAsync();
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();

        bool Seen(string @event) => Services.Any(service =>
            fixture.Traces.MetricsExportContains("resilience.polly.strategy.events", @event, $"screens-{service}"));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!(Seen("OnCircuitOpened") && Seen("OnCircuitHalfOpened")) && DateTime.UtcNow < deadline)
        {
            using var response = await gateway.SendAsync(fan, HttpMethod.Get, $"/api/screens/movie/{film.Id}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            // Paced under the user's rate limit (100 a second after a burst of 200): a screen whose parts fail fast
            // answers in a few milliseconds, and the loop runs until the metrics' next export.
            await Task.Delay(TimeSpan.FromMilliseconds(15));
        }

        Assert.True(Seen("OnCircuitOpened"), "no screen circuit opened under 30 % injected faults");
        Assert.True(Seen("OnCircuitHalfOpened"), "no open screen circuit let a probe through after its break");
    }

    [Fact]
    public async Task AWriteUnderChaosIsAppliedOnce()
    {
        var film = await fixture.AddKoreanFilmAsync();
        using var gateway = fixture.CreateGatewayClient();
        var fans = new List<Fan>();
        for (var i = 0; i < 3; i++)
        {
            fans.Add(await gateway.NewFanAsync());
        }

        foreach (var fan in fans)
        {
            Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, film.Id, 4.0));
            // The screen the fan sees next, read through the chaos, shows the rating at most once.
            using var screen = await gateway.SendAsync(fan, HttpMethod.Get, $"/api/screens/movie/{film.Id}");
            Assert.Equal(HttpStatusCode.OK, screen.StatusCode);
        }

        // Catalog counts each rating once, read directly (not through the chaos), once the events are in.
        var stats = await EventsDriver.EventuallyAsync(
            async () => (await gateway.GetFromJsonAsync<JsonElement>($"/api/catalog/movies/{film.Id}")).GetProperty("stats").GetProperty("count").GetInt32(),
            count => count >= fans.Count);
        await Task.Delay(TimeSpan.FromSeconds(2));   // a repeat would land after the first
        var after = (await gateway.GetFromJsonAsync<JsonElement>($"/api/catalog/movies/{film.Id}")).GetProperty("stats").GetProperty("count").GetInt32();
        Assert.Equal(fans.Count, stats);
        Assert.Equal(fans.Count, after);
        var rows = await fixture.QueryAsync<long>("ratingsdb", "SELECT count(*) FROM ratings WHERE movie_id = @p0 AND score IS NOT NULL", film.Id);
        Assert.Equal(fans.Count, rows);
    }
}
