using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matcha.Tests.WebApp;

/// <summary>The web app's session endpoints: the refresh token never leaves its HttpOnly cookie, and other sites cannot use it.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class SessionApiTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task SignInSetsAnHttpOnlyStrictCookieAndTheCookieAloneRefreshesUntilSignOut()
    {
        using var gateway = CookieClient(out var cookies);
        var user = await gateway.SignUpAsync();

        using var login = await SessionPost(gateway, "login", new { user.Email, user.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var body = await login.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(body.TryGetProperty("refreshToken", out _));
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/api/session", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(user.Email, (await gateway.GetMeAsync(body.GetProperty("accessToken").GetString()!)).Email);

        using var refreshed = await SessionPost(gateway, "refresh");
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var again = await refreshed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(user.Email, (await gateway.GetMeAsync(again.GetProperty("accessToken").GetString()!)).Email);

        using var logout = await SessionPost(gateway, "logout");
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        using var afterLogout = await SessionPost(gateway, "refresh");
        Assert.Equal(HttpStatusCode.Unauthorized, afterLogout.StatusCode);
        Assert.Empty(cookies.GetCookies(gateway.BaseAddress!));
    }

    [Fact]
    public async Task SessionCallsWithoutTheWebAppsHeaderOrFromAnotherOriginAreRefusedAndChangeNothing()
    {
        using var gateway = CookieClient(out _);
        var user = await gateway.SignUpAsync();
        using var login = await SessionPost(gateway, "login", new { user.Email, user.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);

        using var noHeader = await gateway.PostAsync("/api/session/logout", null);
        Assert.Equal(HttpStatusCode.Forbidden, noHeader.StatusCode);

        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/api/session/logout");
        crossSite.Headers.Add("X-Matcha-Session", "1");
        crossSite.Headers.Add("Origin", "https://evil.example");
        using var crossSiteResponse = await gateway.SendAsync(crossSite);
        Assert.Equal(HttpStatusCode.Forbidden, crossSiteResponse.StatusCode);

        // Neither sign-out happened: the session still refreshes.
        using var refreshed = await SessionPost(gateway, "refresh");
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
    }

    [Fact]
    public async Task AWrongPasswordIsA401ThatSaysSoAndSetsNoCookie()
    {
        using var gateway = CookieClient(out var cookies);
        var user = await gateway.SignUpAsync();

        using var login = await SessionPost(gateway, "login", new { user.Email, Password = user.Password + "x" });

        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        var problem = await login.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("The email or password is not right.", problem.GetProperty("detail").GetString());
        Assert.Empty(cookies.GetCookies(gateway.BaseAddress!));
    }

    [Fact]
    public async Task ABadSignInNamesTheFieldAndARefreshWithoutACookieIs401()
    {
        using var gateway = CookieClient(out _);

        using var login = await SessionPost(gateway, "login", new { email = "not an email", password = "" });
        Assert.Contains("email", await login.ProblemFieldsAsync());

        using var refresh = await SessionPost(gateway, "refresh");
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
    }

    private HttpClient CookieClient(out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        return new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = fixture.App.GetEndpoint("gateway", "http") };
    }

    private static async Task<HttpResponseMessage> SessionPost(HttpClient gateway, string action, object? body = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/session/{action}") { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("X-Matcha-Session", "1");
        return await gateway.SendAsync(request);
    }
}
