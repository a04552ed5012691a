using System.Net;

namespace Matcha.Tests.Backbone;

/// <summary>Processes killed with SIGKILL at the awkward moments; afterwards nothing is lost and nothing counts twice.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public class CrashTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task RatingsAcceptedWhileRedisIsDownReachCatalogOnceItIsBack()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fans = new[] { await gateway.NewFanAsync(), await gateway.NewFanAsync(), await gateway.NewFanAsync() };
        var films = new[] { await fixture.AddFilmAsync(), await fixture.AddFilmAsync() };
        double[] scores = [1.5, 4.0, 5.0];

        await fixture.App.ResourceCommands.ExecuteCommandAsync("redis", KnownResourceCommands.StopCommand);
        try
        {
            foreach (var film in films)
            {
                for (var i = 0; i < fans.Length; i++)
                {
                    Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fans[i], film, scores[i]));
                }
            }
            Assert.True(await fixture.QueryAsync<long>("ratingsdb",
                "SELECT count(*) FROM outbox_messages WHERE published_at IS NULL AND type = 'RatingChanged'") >= films.Length * fans.Length);
        }
        finally
        {
            await fixture.StartAgainAsync("redis");   // waits out the old process and a start that lost the race for its port
        }

        foreach (var film in films)
        {
            var stats = await EventsDriver.EventuallyAsync(() => gateway.StatsAsync(film), s => s.Count == scores.Length);
            Assert.Equal(scores.Length, stats.Count);
            Assert.Equal(EventsDriver.Histogram(scores), stats.Histogram);
        }
    }

    [Fact]
    public async Task EventsPublishedButNotYetConsumedWhenRedisLosesItsDataAreDeliveredAnyway()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        var film = await fixture.AddFilmAsync();

        // Catalog is away, so the event waits on the stream; then Redis restarts empty (the tests run it without persistence).
        await fixture.App.ResourceCommands.ExecuteCommandAsync("catalog", KnownResourceCommands.StopCommand);
        try
        {
            Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, film, 2.0));
            var published = await EventsDriver.EventuallyAsync(() => fixture.QueryAsync<long>("ratingsdb",
                "SELECT count(*) FROM outbox_messages WHERE published_at IS NOT NULL AND aggregate_id = @p0", $"rating/{film}/{fan.Id}"), n => n == 1);
            Assert.Equal(1, published);
            await fixture.RestartRedisEmptyAsync();
        }
        finally
        {
            await fixture.StartAgainAsync("catalog");
        }

        var stats = await EventsDriver.EventuallyAsync(() => gateway.StatsAsync(film), s => s.Count == 1);
        Assert.Equal(1, stats.Count);
        Assert.Equal(EventsDriver.Histogram(2.0), stats.Histogram);
    }

    [Fact]
    public async Task ARatingCommittedBeforeRatingsIsKilledIsPublishedAfterItRestarts()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        var film = await fixture.AddFilmAsync();

        // With Redis away the relay cannot publish, so the kill lands between commit and publish.
        await fixture.App.ResourceCommands.ExecuteCommandAsync("redis", KnownResourceCommands.StopCommand);
        try
        {
            Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, film, 3.5));
            Assert.Equal(1, await fixture.QueryAsync<long>("ratingsdb",
                "SELECT count(*) FROM outbox_messages WHERE published_at IS NULL AND aggregate_id = @p0", $"rating/{film}/{fan.Id}"));
            await fixture.KillAsync("ratings");
        }
        finally
        {
            await fixture.StartAgainAsync("redis");   // waits out the old process and a start that lost the race for its port
            await fixture.StartAgainAsync("ratings");
        }

        var stats = await EventsDriver.EventuallyAsync(() => gateway.StatsAsync(film), s => s.Count == 1);
        Assert.Equal(1, stats.Count);
        Assert.Equal(EventsDriver.Histogram(3.5), stats.Histogram);
    }

    [Fact]
    public async Task CatalogKilledWhileEventsFlowCountsEachExactlyOnceAfterRestart()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fans = new List<Fan>();
        for (var i = 0; i < 5; i++)
        {
            fans.Add(await gateway.NewFanAsync());
        }
        var films = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            films.Add(await fixture.AddFilmAsync());
        }
        double Score(int fan, int film) => 0.5 + ((fan * 3 + film) % 10) * 0.5;

        var ratings = fans.SelectMany((fan, f) => films.Select((film, m) => gateway.RateAsync(fan, film, Score(f, m)))).ToList();
        Assert.All(await Task.WhenAll(ratings), status => Assert.Equal(HttpStatusCode.NoContent, status));
        try
        {
            await fixture.KillAsync("catalog");
        }
        finally
        {
            await fixture.StartAgainAsync("catalog");
        }

        for (var m = 0; m < films.Count; m++)
        {
            var expected = EventsDriver.Histogram([.. fans.Select((_, f) => Score(f, m))]);
            var stats = await EventsDriver.EventuallyAsync(() => gateway.StatsAsync(films[m]), s => s.Histogram.SequenceEqual(expected));
            Assert.Equal(expected, stats.Histogram);
            Assert.Equal(fans.Count, stats.Count);
        }
    }
}
