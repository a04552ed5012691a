using System.Net;
using System.Net.Http.Json;

namespace Matcha.Tests.Accounts;

[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class SessionTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task SignUpSignInRefreshTwiceAndSignOutThroughTheGateway()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = await gateway.SignUpAsync();

        var first = await gateway.LoginAsync(user);
        Assert.InRange(first.ExpiresIn, 60, 15 * 60);
        var me = await gateway.GetMeAsync(first.AccessToken);
        Assert.Equal(user.Email, me.Email);
        Assert.Equal(user.DisplayName, me.DisplayName);

        using var secondResponse = await gateway.RefreshAsync(first.RefreshToken);
        var second = (await secondResponse.Content.ReadFromJsonAsync<Tokens>())!;
        using var thirdResponse = await gateway.RefreshAsync(second.RefreshToken);
        var third = (await thirdResponse.Content.ReadFromJsonAsync<Tokens>())!;
        Assert.Equal(me.Id, (await gateway.GetMeAsync(third.AccessToken)).Id);
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);

        using var logout = await gateway.PostAsJsonAsync("/api/accounts/logout", new { refreshToken = third.RefreshToken });
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        foreach (var spent in new[] { first.RefreshToken, second.RefreshToken, third.RefreshToken })
        {
            using var again = await gateway.RefreshAsync(spent);
            Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        }
    }

    [Fact]
    public async Task ReplayingAUsedRefreshTokenRevokesTheWholeFamily()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = await gateway.SignUpAsync();
        var first = await gateway.LoginAsync(user);
        using var rotated = await gateway.RefreshAsync(first.RefreshToken);
        var second = (await rotated.Content.ReadFromJsonAsync<Tokens>())!;

        using var replay = await gateway.RefreshAsync(first.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);

        // The legitimate holder's newer token died with its family.
        using var afterReplay = await gateway.RefreshAsync(second.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, afterReplay.StatusCode);

        // Another sign-in is another family, untouched.
        var other = await gateway.LoginAsync(user);
        using var otherRefresh = await gateway.RefreshAsync(other.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, otherRefresh.StatusCode);
    }

    [Fact]
    public async Task ConcurrentRefreshesWithOneTokenLetAtMostOneSucceed()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = await gateway.SignUpAsync();
        var tokens = await gateway.LoginAsync(user);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => gateway.RefreshAsync(tokens.RefreshToken)));

        var statuses = responses.Select(r => r.StatusCode).ToList();
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) <= 1, string.Join(", ", statuses));
        Assert.All(statuses, s => Assert.Contains(s, new[] { HttpStatusCode.OK, HttpStatusCode.Unauthorized }));
        foreach (var response in responses)
        {
            response.Dispose();
        }
        var stored = await fixture.ScalarAsync<long>(
            "select count(*) from refresh_tokens t join session_families f on f.id = t.family_id join users u on u.id = f.user_id where u.email = @p0",
            user.Email);
        Assert.InRange(stored, 1, 2);
    }

    [Fact]
    public async Task SignOutOfOneSessionLeavesTheOthers()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = await gateway.SignUpAsync();
        var laptop = await gateway.LoginAsync(user);
        var phone = await gateway.LoginAsync(user);

        using var logout = await gateway.PostAsJsonAsync("/api/accounts/logout", new { refreshToken = laptop.RefreshToken });
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        using var laptopRefresh = await gateway.RefreshAsync(laptop.RefreshToken);
        using var phoneRefresh = await gateway.RefreshAsync(phone.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, laptopRefresh.StatusCode);
        Assert.Equal(HttpStatusCode.OK, phoneRefresh.StatusCode);
    }

    [Fact]
    public async Task SignInWithAWrongPasswordOrUnknownEmailIsRefusedAlike()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = await gateway.SignUpAsync();

        using var wrongPassword = await gateway.PostAsJsonAsync("/api/accounts/login", new { user.Email, password = user.Password + "x" });
        using var unknownEmail = await gateway.PostAsJsonAsync("/api/accounts/login", new { email = GatewayAccounts.NewUser().Email, user.Password });

        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownEmail.StatusCode);
    }

    [Fact]
    public async Task KeyRotationKeepsEarlierAccessTokensValid()
    {
        using var gateway = fixture.CreateGatewayClient();
        var admin = await gateway.LoginAsync(await fixture.ParameterAsync("admin-email"), await fixture.ParameterAsync("admin-password"));
        var (before, _) = await gateway.SignUpAndLoginAsync();

        using var rotate = new HttpRequestMessage(HttpMethod.Post, "/api/accounts/signing-keys/rotate");
        rotate.Headers.Authorization = new("Bearer", admin.AccessToken);
        using var rotated = await gateway.SendAsync(rotate);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        // A recent unknown-kid probe (another test's forgery) holds off the next JWKS fetch for up to a second.
        await Task.Delay(TimeSpan.FromSeconds(1.1));

        var (after, _) = await gateway.SignUpAndLoginAsync();
        Assert.NotEqual(KidOf(before.AccessToken), KidOf(after.AccessToken));
        Assert.Equal(HttpStatusCode.OK, await gateway.MeStatusAsync(before.AccessToken));
        Assert.Equal(HttpStatusCode.OK, await gateway.MeStatusAsync(after.AccessToken));
    }

    [Fact]
    public async Task OnlyAnAdminCanRotateKeys()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (tokens, _) = await gateway.SignUpAndLoginAsync();

        using var rotate = new HttpRequestMessage(HttpMethod.Post, "/api/accounts/signing-keys/rotate");
        rotate.Headers.Authorization = new("Bearer", tokens.AccessToken);
        using var response = await gateway.SendAsync(rotate);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task TheBootstrappedAdminHasTheAdminRole()
    {
        using var gateway = fixture.CreateGatewayClient();
        var email = await fixture.ParameterAsync("admin-email");
        var admin = await gateway.LoginAsync(email, await fixture.ParameterAsync("admin-password"));

        var me = await gateway.GetMeAsync(admin.AccessToken);

        Assert.Equal(email, me.Email);
        Assert.Equal(["admin"], me.Roles);
    }

    private static string KidOf(string jwt) => new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(jwt).Kid;
}
