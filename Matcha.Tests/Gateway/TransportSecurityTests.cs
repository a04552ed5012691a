using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Matcha.Tests.Gateway;

/// <summary>Headers the gateway adds and believes (docs/security.md, "Transport").</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class TransportSecurityTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task PersonalAnswersAreNeverStoredAndNoAnswerIsSniffed()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (tokens, _) = await gateway.SignUpAndLoginAsync();

        // A proxied personal answer (Accounts sets no caching header of its own), and a screen.
        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/accounts/me") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken) } };
        using var meResponse = await gateway.SendAsync(me);
        using var myRatings = new HttpRequestMessage(HttpMethod.Get, "/api/ratings/me/ratings") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken) } };
        using var myRatingsResponse = await gateway.SendAsync(myRatings);
        using var publicResponse = await gateway.GetAsync("/api/catalog/movies?pageSize=1");

        foreach (var personal in (HttpResponseMessage[])[meResponse, myRatingsResponse])
        {
            Assert.Equal(HttpStatusCode.OK, personal.StatusCode);
            Assert.True(personal.Headers.CacheControl is { NoStore: true, Private: true }, $"{personal.RequestMessage!.RequestUri}: {personal.Headers.CacheControl}");
            Assert.Equal("nosniff", Assert.Single(personal.Headers.GetValues("X-Content-Type-Options")));
        }
        Assert.Equal("nosniff", Assert.Single(publicResponse.Headers.GetValues("X-Content-Type-Options")));
        Assert.False(publicResponse.Headers.CacheControl?.NoStore ?? false);
    }

    [Fact]
    public async Task ForwardedHeadersFromAClientThatIsNoConfiguredProxyAreNotBelieved()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = await gateway.SignUpAsync();

        // A client (not a configured proxy) claims the request came over https: the cookie stays as
        // for http, and an https Origin of the gateway's host is another origin, not its own.
        using var login = Session("login", new { user.Email, user.Password });
        login.Headers.Add("X-Forwarded-Proto", "https");
        using var loginResponse = await gateway.SendAsync(login);
        using var crossScheme = Session("login", new { user.Email, user.Password });
        crossScheme.Headers.Add("X-Forwarded-Proto", "https");
        crossScheme.Headers.Add("Origin", $"https://{gateway.BaseAddress!.Authority}");
        using var crossSchemeResponse = await gateway.SendAsync(crossScheme);

        Assert.Equal(HttpStatusCode.OK, loginResponse.StatusCode);
        Assert.True(loginResponse.Headers.CacheControl?.NoStore == true, "an answer carrying an access token is never stored");
        Assert.DoesNotContain("secure", Assert.Single(loginResponse.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
        Assert.False(loginResponse.Headers.Contains("Strict-Transport-Security"));
        Assert.Equal(HttpStatusCode.Forbidden, crossSchemeResponse.StatusCode);
    }

    private static HttpRequestMessage Session(string action, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/session/{action}") { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Matcha-Session", "1");
        return request;
    }
}
