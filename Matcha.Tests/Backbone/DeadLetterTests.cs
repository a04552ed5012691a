using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matcha.EventBus;

namespace Matcha.Tests.Backbone;

[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public class DeadLetterTests(MatchaAppFixture fixture)
{
    private const string DeadLetters = "/api/catalog/admin/dead-letters";

    [Fact]
    public async Task APoisonEventIsDeadLetteredWhileLaterEventsFlowAndAReplayAfterTheFixAppliesOnce()
    {
        using var gateway = fixture.CreateGatewayClient();
        using var redis = await fixture.RedisAsync();
        var admin = await gateway.AdminAsync(fixture);
        var fan = await gateway.NewFanAsync();

        // A rating of a film Catalog does not have: Catalog cannot apply it until the film exists.
        var missingFilm = EventsDriver.FreshMovieId();
        var userId = Guid.NewGuid();
        var poison = EventsDriver.Envelope("RatingChanged", $"rating/{missingFilm}/{userId}", 1,
            new { movieId = missingFilm, userId, oldScore = (decimal?)null, newScore = 3.5m, version = 1 });
        await redis.PublishAsync("ratings", poison);

        var healthyFilm = await fixture.AddFilmAsync();
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, healthyFilm, 4.0));
        Assert.Equal(1, (await EventsDriver.EventuallyAsync(() => gateway.StatsAsync(healthyFilm), s => s.Count == 1)).Count);

        var deadLetter = await EventsDriver.EventuallyAsync(() => FindAsync(gateway, admin, poison.EventId), d => d is not null, TimeSpan.FromSeconds(90));
        Assert.NotNull(deadLetter);
        Assert.Equal("catalog-stats", deadLetter.Subscription);
        Assert.Equal(new EventBusOptions().MaxAttempts, deadLetter.Attempts);
        Assert.Contains($"Film {missingFilm} is not in the catalogue", deadLetter.Error, StringComparison.Ordinal);

        using (var asFan = await gateway.SendAsync(fan, HttpMethod.Get, DeadLetters))
        {
            Assert.Equal(HttpStatusCode.Forbidden, asFan.StatusCode);
        }

        // The fix: the film is restored. Then the replay applies the rating, once.
        await fixture.AddFilmAsync(id: missingFilm);
        var replayPath = $"{DeadLetters}/{deadLetter.Subscription}/{deadLetter.Id}/replay";
        using (var replay = await gateway.SendAsync(admin, HttpMethod.Post, replayPath))
        {
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
            Assert.Equal(nameof(ApplyOutcome.Applied), (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
        }
        using (var again = await gateway.SendAsync(admin, HttpMethod.Post, replayPath))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }
        Assert.Null(await FindAsync(gateway, admin, poison.EventId));

        // The same event arriving once more has no second effect; a later rating is the barrier.
        await redis.PublishAsync("ratings", poison);
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, missingFilm, 1.0));
        var stats = await EventsDriver.EventuallyAsync(() => gateway.StatsAsync(missingFilm), s => s.Count >= 2);
        Assert.Equal(2, stats.Count);
        Assert.Equal(EventsDriver.Histogram(3.5, 1.0), stats.Histogram);
    }

    private static async Task<DeadLetterView?> FindAsync(HttpClient gateway, Fan admin, Guid eventId)
    {
        var all = await gateway.GetAsync<List<DeadLetterView>>(admin, DeadLetters);
        return all.SingleOrDefault(d => d.EventId == eventId);
    }
}
