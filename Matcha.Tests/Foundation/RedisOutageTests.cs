using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matcha.ServiceDefaults;

namespace Matcha.Tests.Foundation;

/// <summary>
/// Redis down means degraded, not down. What still works answers as it always does, without waiting for
/// Redis: StackExchange.Redis would otherwise queue each command for a reconnect until its 5 s timeout, and
/// every write through the gateway (its deleted-account check) and every cache miss in Catalog took 5-6 s.
/// What cannot be done safely without Redis (sign-in's and sign-up's attempt counters) says so with a 503.
/// </summary>
[Trait("Category", "AppHost")]
[Collection(MatchaAppCollectionDefinition.Name)]
public class RedisOutageTests(MatchaAppFixture fixture)
{
    /// <summary>Half the Redis client's timeout: a request that waited for Redis took at least the whole of it.</summary>
    private static readonly TimeSpan WithoutWaitingForRedis = TimeSpan.FromSeconds(2.5);

    [Fact]
    public async Task WritesAndReadsAnswerAsUsualWithoutWaitingForRedisWhileItIsDown()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        var films = new[] { await fixture.AddFilmAsync(), await fixture.AddFilmAsync() };

        await fixture.StopAsync("redis");
        try
        {
            foreach (var film in films)
            {
                await AnswersAtOnceAsync(HttpStatusCode.NoContent, () => gateway.SendAsync(fan, HttpMethod.Put, $"/api/ratings/movies/{film}/rating", new { score = 4.5 }));
                await AnswersAtOnceAsync(HttpStatusCode.NoContent, () => gateway.SendAsync(fan, HttpMethod.Put, $"/api/ratings/movies/{film}/wishlist", new { state = "wantToWatch" }));
                // Never read before, so the cache has it in neither level: a miss in Redis, then Postgres.
                await AnswersAtOnceAsync(HttpStatusCode.OK, () => gateway.GetAsync($"/api/catalog/movies/{film}"));
                await AnswersAtOnceAsync(HttpStatusCode.OK, () => gateway.SendAsync(fan, HttpMethod.Get, $"/api/screens/movie/{film}"));
            }
            await AnswersAtOnceAsync(HttpStatusCode.OK, () => gateway.SendAsync(fan, HttpMethod.Get, "/api/screens/me"));
        }
        finally
        {
            await fixture.StartAgainAsync("redis");
        }

        // The writes were kept: the outbox publishes them once Redis is back.
        foreach (var film in films)
        {
            var stats = await EventsDriver.EventuallyAsync(() => gateway.StatsAsync(film), s => s.Count == 1);
            Assert.Equal(EventsDriver.Histogram(4.5), stats.Histogram);
        }
    }

    [Fact]
    public async Task SignUpAndSignInAnswer503WithRetryAfterAndChangeNothingWhileRedisIsDownThenWork()
    {
        using var gateway = fixture.CreateGatewayClient();
        var member = await gateway.SignUpAsync();
        var newcomer = GatewayAccounts.NewUser();

        await fixture.StopAsync("redis");
        try
        {
            await UnavailableAsync(() => gateway.PostAsJsonAsync("/api/accounts/signup", new { newcomer.Email, newcomer.Password, newcomer.DisplayName }));
            await UnavailableAsync(() => gateway.PostAsJsonAsync("/api/accounts/login", new { member.Email, member.Password }));
            Assert.Equal(0, await fixture.QueryAsync<long>("accountsdb", "SELECT count(*) FROM users WHERE email = @p0", newcomer.Email));
        }
        finally
        {
            await fixture.StartAgainAsync("redis");
        }

        var tokens = await gateway.LoginAsync(member);
        Assert.False(string.IsNullOrEmpty(tokens.AccessToken));
        using var signUp = await gateway.PostAsJsonAsync("/api/accounts/signup", new { newcomer.Email, newcomer.Password, newcomer.DisplayName });
        Assert.Equal(HttpStatusCode.Created, signUp.StatusCode);
    }

    private static async Task AnswersAtOnceAsync(HttpStatusCode expected, Func<Task<HttpResponseMessage>> send)
    {
        var clock = Stopwatch.StartNew();
        using var response = await send();
        var took = clock.Elapsed;
        Assert.True(response.StatusCode == expected,
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: {(int)response.StatusCode}, expected {(int)expected}");
        Assert.True(took < WithoutWaitingForRedis,
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery} took {took.TotalMilliseconds:F0} ms: it waited for Redis");
    }

    private static async Task UnavailableAsync(Func<Task<HttpResponseMessage>> send)
    {
        var clock = Stopwatch.StartNew();
        using var response = await send();
        Assert.True(clock.Elapsed < WithoutWaitingForRedis, $"{response.RequestMessage?.RequestUri?.AbsolutePath} waited for Redis");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(SharedRedis.RetryAfter, response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Contains("Nothing was changed", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
