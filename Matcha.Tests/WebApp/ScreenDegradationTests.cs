using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matcha.Tests.WebApp;

/// <summary>
/// A screen survives a failing service: Ratings stopped, frozen (SIGSTOP) or failing again and
/// again, the film page still shows the film, says what is missing, answers within its deadline,
/// and the circuit opens where the response and the metrics show it. Each test leaves Ratings
/// running and answering the gateway for the tests after it.
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "Browser")]
public sealed class ScreenDegradationTests(MatchaAppFixture fixture, WebAppBrowser browser) : IClassFixture<WebAppBrowser>
{
    /// <summary>The screens' deadline for Ratings (2 s: one attempt of 1 s and one retry), with room for a loaded machine.</summary>
    private static readonly TimeSpan ScreenDeadline = TimeSpan.FromSeconds(6);

    /// <summary>A hang is a timeout, or, when earlier calls already timed out, an open circuit.</summary>
    private static readonly string[] HangReasons = ["timeout", "circuit-open"];

    private static readonly string[] FailureReasons = ["timeout", "unreachable", "status-502", "status-503"];

    [Fact]
    public async Task FilmPageShowsTheFilmAndSaysRatingsAreUnavailableWhileRatingsIsStoppedThenRecovers()
    {
        var film = await fixture.AddKoreanFilmAsync();
        var page = await browser.NewVisitorAsync(fixture);
        await page.SignUpAsync();

        await fixture.App.ResourceCommands.ExecuteCommandAsync("ratings", KnownResourceCommands.StopCommand);
        try
        {
            var watch = Stopwatch.StartNew();
            await page.OpenFilmAsync(film);
            await Expect(page.GetByText("Ratings are unavailable right now")).ToBeVisibleAsync();
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"the film page took {watch.Elapsed.TotalSeconds:F1} s with Ratings stopped");
            await Expect(page.GetByText("Comments are unavailable right now")).ToBeVisibleAsync();
            await Expect(page.GetByText("Two families, one summer")).ToBeVisibleAsync();
            await page.ScreenshotAsync("film-ratings-unavailable");
        }
        finally
        {
            await fixture.StartAgainAsync("ratings");
        }

        await WaitUntilScreensReachRatingsAsync(film.Id);
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Slider, new() { Name = "My rating" })).ToBeVisibleAsync();
        await Expect(page.GetByText("Ratings are unavailable right now")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task FilmScreenAnswersWithinItsDeadlineWhenRatingsHangs()
    {
        var film = await fixture.AddKoreanFilmAsync();
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();

        var frozen = await fixture.FreezeAsync("ratings");
        try
        {
            var watch = Stopwatch.StartNew();
            var screen = await gateway.GetAsync<JsonElement>(fan, $"/api/screens/movie/{film.Id}");
            watch.Stop();

            Assert.True(watch.Elapsed < ScreenDeadline, $"the film screen took {watch.Elapsed.TotalSeconds:F1} s while Ratings hung");
            Assert.Equal(film.EnglishTitle, screen.GetProperty("movie").GetProperty("titles").GetProperty("en").GetString());
            Assert.Contains("ratings", screen.GetProperty("unavailable").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(JsonValueKind.Null, screen.GetProperty("mine").ValueKind);
            Assert.Equal(JsonValueKind.Null, screen.GetProperty("comments").ValueKind);
            Assert.Contains(screen.GetProperty("reasons").GetProperty("ratings").GetString(), HangReasons);
        }
        finally
        {
            await ServiceProcesses.ThawAsync(frozen);
        }
        await WaitUntilScreensReachRatingsAsync(film.Id);
    }

    [Fact]
    public async Task RepeatedFailuresOpenTheCircuitWhichTheResponseAndTheMetricsShow()
    {
        var film = await fixture.AddKoreanFilmAsync();
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        // The circuit judges the calls of the last 15 s (SamplingDuration), and a test before this one may have left
        // failures of its own there, enough for this test's first failure to open it. Answers from Ratings first,
        // more than those could be, so that the failures that open the circuit are this test's.
        for (var i = 0; i < 20; i++)
        {
            var answered = await gateway.GetAsync<JsonElement>(fan, $"/api/screens/movie/{film.Id}");
            Assert.DoesNotContain("ratings", answered.GetProperty("unavailable").EnumerateArray().Select(e => e.GetString()));
        }

        await fixture.App.ResourceCommands.ExecuteCommandAsync("ratings", KnownResourceCommands.StopCommand);
        try
        {
            var reasons = new List<string?>();
            for (var i = 0; i < 20 && reasons.LastOrDefault() != "circuit-open"; i++)
            {
                var screen = await gateway.GetAsync<JsonElement>(fan, $"/api/screens/movie/{film.Id}");
                Assert.Equal(film.EnglishTitle, screen.GetProperty("movie").GetProperty("titles").GetProperty("en").GetString());
                reasons.Add(screen.GetProperty("reasons").GetProperty("ratings").GetString());
            }
            // Failures first (a stopped service behind Aspire's proxy times out or refuses), then the open circuit.
            Assert.Equal("circuit-open", reasons.Last());
            Assert.NotEqual("circuit-open", reasons.First());
            Assert.All(reasons.SkipLast(1), reason => Assert.Contains(reason, FailureReasons));

            // With the circuit open the screen does not wait for Ratings at all.
            var watch = Stopwatch.StartNew();
            using var open = await gateway.SendAsync(fan, HttpMethod.Get, $"/api/screens/movie/{film.Id}");
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"with the circuit open the screen took {watch.Elapsed.TotalSeconds:F1} s");

            // The dashboard's metrics show it too: Polly's strategy events, exported by the gateway.
            var seen = await EventsDriver.EventuallyAsync(
                () => Task.FromResult(fixture.Traces.MetricsExportContains("resilience.polly.strategy.events", "OnCircuitOpened", "screens-ratings")),
                found => found, TimeSpan.FromSeconds(30));
            Assert.True(seen, "no metrics export from the gateway held resilience.polly.strategy.events with OnCircuitOpened for screens-ratings");
        }
        finally
        {
            await fixture.StartAgainAsync("ratings");
        }
        await WaitUntilScreensReachRatingsAsync(film.Id);
    }

    /// <summary>After Ratings is back, the gateway's circuit half-opens and closes again at the first success.</summary>
    private async Task WaitUntilScreensReachRatingsAsync(int movieId)
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        var screen = await EventsDriver.EventuallyAsync(
            () => gateway.GetAsync<JsonElement>(fan, $"/api/screens/movie/{movieId}"),
            s => !s.GetProperty("unavailable").EnumerateArray().Any(e => e.GetString() == "ratings"));
        Assert.DoesNotContain("ratings", screen.GetProperty("unavailable").EnumerateArray().Select(e => e.GetString()));
    }
}
