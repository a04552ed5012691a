using System.Net;
using System.Net.Http.Headers;
using Matcha.Tests.Infrastructure;

namespace Matcha.Tests.Identity;

/// <summary>Defaults from Matcha.Gateway's GatewayRateLimitOptions: a user may burst 200 requests, 100/s after.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
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

    private static async Task<HttpResponseMessage> Send(HttpClient gateway, string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/nowhere");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await gateway.SendAsync(request);
    }
}
