using System.Net;
using System.Net.Http.Headers;

namespace Matcha.Tests.Gateway;

/// <summary>Defaults from Matcha.Gateway's GatewayRateLimitOptions: a user may burst 200 requests, 100/s after.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class GatewayRateLimitTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task AUserWhoSendsTooManyRequestsGets429WithRetryAfterAndOthersDoNot()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (flooder, _) = await gateway.SignUpAndLoginAsync();
        var (bystander, _) = await gateway.SignUpAndLoginAsync();

        // An unknown path costs the gateway nothing to answer (404), yet it still counts.
        var responses = await Task.WhenAll(Enumerable.Range(0, 600).Select(_ => Send(gateway, flooder.AccessToken)));
        var bystanderStatus = await gateway.MeStatusAsync(bystander.AccessToken);

        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.All(limited, r => Assert.NotNull(r.Headers.RetryAfter));
        Assert.Equal(HttpStatusCode.OK, bystanderStatus);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task AnAnonymousClientAddressThatSendsTooManyRequestsGets429WhileSignedInUsersDoNot()
    {
        // Every test client is 127.0.0.1: this floods the one anonymous bucket all tests share,
        // then waits for it to refill (burst 100 at 50/s) so later tests are not limited.
        using var gateway = fixture.CreateGatewayClient();
        var (user, _) = await gateway.SignUpAndLoginAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 400).Select(_ => gateway.GetAsync("/api/catalog/movies/1")));
        var signedIn = await gateway.MeStatusAsync(user.AccessToken);

        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.All(limited, r => Assert.NotNull(r.Headers.RetryAfter));
        Assert.Equal(HttpStatusCode.OK, signedIn);   // a user has a bucket of their own
        foreach (var response in responses)
        {
            response.Dispose();
        }
        await Task.Delay(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task TheLimitComesBeforeAuthorizationAndCoversTheScreens()
    {
        // Rate limiting runs before the closed authorization, for the gateway's own screens as for
        // the proxy: an anonymous flood of the signed-in-only screen gets 429s, not only 401s.
        using var gateway = fixture.CreateGatewayClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 400).Select(_ => gateway.GetAsync("/api/screens/me")));

        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests }));
        foreach (var response in responses)
        {
            response.Dispose();
        }
        await Task.Delay(TimeSpan.FromSeconds(3));   // the shared anonymous bucket refills for later tests
    }

    private static async Task<HttpResponseMessage> Send(HttpClient gateway, string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/nowhere");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await gateway.SendAsync(request);
    }
}
