using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matcha.Tests.Deletion;

/// <summary>
/// Writes of a user racing their account's deletion. The gateway refuses a deleted account's
/// writes, but one that passed its check an instant before the DELETE still reaches Ratings or
/// Social; here they go straight to the services, as the gateway forwards them, before, during
/// and after the saga's steps. Whatever lands, nothing of the user remains once the saga is done.
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class DeletionRaceTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task WritesRacingTheDeletionLeaveNoRowAndLateOnesAreRefused()
    {
        using var gateway = fixture.CreateGatewayClient();
        var leaver = await gateway.LeaverWithEverythingAsync(fixture);
        var neighbourHandle = (await gateway.SocialProfileAsync(leaver.Neighbour)).Handle;
        var leaverHandle = (await gateway.SocialProfileAsync(leaver.Fan)).Handle;
        using var ratings = await ServiceAsync("ratings", leaver.Fan.Id);
        using var social = await ServiceAsync("social", leaver.Fan.Id);
        using var neighbourSocial = await ServiceAsync("social", leaver.Neighbour.Id);
        // The leaver's comment on the first film goes with the erasure; a new one could come back.
        await gateway.ExpectAsync(leaver.Fan, HttpMethod.Delete, $"/api/ratings/comments/{leaver.OwnCommentId}", null, HttpStatusCode.NoContent);

        var statuses = new List<(string Write, HttpStatusCode Status)>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
        {
            for (var round = 0; !stop.IsCancellationRequested; round++)
            {
                var film = leaver.Films[(writer + round) % 2];
                (string, HttpRequestMessage, HttpClient)[] writes =
                [
                    ("rating", Json(HttpMethod.Put, $"/movies/{film}/rating", new { score = 0.5 + round % 10 * 0.5 }), ratings),
                    ("wish", Json(HttpMethod.Put, $"/movies/{film}/wishlist", new { state = round % 2 == 0 ? "wantToWatch" : "watching" }), ratings),
                    ("comment", Json(HttpMethod.Post, $"/movies/{leaver.Films[0]}/comments", new { text = $"Still here, round {round}." }), ratings),
                    ("like", new HttpRequestMessage(HttpMethod.Put, $"/comments/{leaver.NeighboursCommentId}/like"), ratings),
                    ("follow", new HttpRequestMessage(HttpMethod.Put, $"/members/{neighbourHandle}/follow"), social),
                    ("followed", new HttpRequestMessage(HttpMethod.Put, $"/members/{leaverHandle}/follow"), neighbourSocial),
                    ("collection", Json(HttpMethod.Post, "/collections", new { title = $"Still here, round {round}" }), social),
                    ("collection-like", new HttpRequestMessage(HttpMethod.Put, $"/collections/{leaver.NeighboursCollectionId}/like"), social),
                ];
                foreach (var (name, request, client) in writes)
                {
                    using (request)
                    using (var response = await client.SendAsync(request))
                    {
                        lock (statuses)
                        {
                            statuses.Add((name, response.StatusCode));
                        }
                    }
                }
            }
        })).ToArray();

        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var statusUrl = await gateway.StartDeletionAsync(leaver.Fan);
        Assert.Equal("completed", await gateway.WaitUntilCompletedAsync(statusUrl));
        // A moment more of late writes, all of which must be refused.
        await Task.Delay(TimeSpan.FromSeconds(1));
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        Assert.DoesNotContain(statuses, s => (int)s.Status >= 500);
        // The services themselves refused the writes that came after their erasure step.
        Assert.Contains(statuses, s => s.Write == "rating" && s.Status == HttpStatusCode.Unauthorized);
        Assert.Empty(await fixture.RowsMentioningAsync(leaver.Fan.Id));
        foreach (var film in leaver.Films)
        {
            var (catalog, fromRatings) = await fixture.StatisticsAsync(film);
            Assert.Equal(fromRatings, catalog);
        }
        var neighbour = await gateway.SocialProfileAsync(leaver.Neighbour);
        Assert.Equal((0, 0), (neighbour.Followers, neighbour.Following));
    }

    [Fact]
    public async Task AWriteOfAnErasedUserIsAProblemDocumentNamingTheDeletedAccount()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        var film = await fixture.AddFilmAsync();
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, film, 3.0));
        Assert.Equal("completed", await gateway.WaitUntilCompletedAsync(await gateway.StartDeletionAsync(fan)));

        using var ratings = await ServiceAsync("ratings", fan.Id);
        using var late = await ratings.SendAsync(Json(HttpMethod.Put, $"/movies/{film}/rating", new { score = 4.0 }));
        Assert.Equal(HttpStatusCode.Unauthorized, late.StatusCode);
        Assert.Equal("application/problem+json", late.Content.Headers.ContentType?.MediaType);
        Assert.Equal("This account has been deleted", (await late.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.Equal(0, await fixture.QueryAsync<long>("ratingsdb", "SELECT count(*) FROM ratings WHERE user_id = @p0", fan.Id));
    }

    /// <summary>A client of the service as the gateway calls it: an internal token for the user, signed with the gateway's key.</summary>
    private async Task<HttpClient> ServiceAsync(string service, Guid userId)
    {
        var now = DateTime.UtcNow;
        var token = TestTokens.Mint(TestTokens.GatewayCredentials(await fixture.ParameterAsync("gateway-signing-key")), userId.ToString(),
            TestTokens.GatewayIssuer, service, TestTokens.InternalTokenType, now, now.AddMinutes(5),
            new Dictionary<string, object> { ["name"] = "Film Fan", ["role"] = Array.Empty<string>(), ["auth_time"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() });
        var client = new HttpClient { BaseAddress = fixture.App.GetEndpoint(service, "http") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static HttpRequestMessage Json(HttpMethod method, string path, object body) =>
        new(method, path) { Content = JsonContent.Create(body) };
}
