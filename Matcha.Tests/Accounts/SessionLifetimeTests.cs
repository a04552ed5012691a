using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matcha.Tests.Accounts;

/// <summary>A sign-in lasts Accounts:Tokens:SessionLifetime (30 days) however often it is refreshed (docs/security.md).</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class SessionLifetimeTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task ARefreshChainEndsWhenTheSessionsLifetimeFromSignInIsOver()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = await gateway.SignUpAsync();
        // A replica whose sessions last 4 seconds, so the test need not wait 30 days.
        await using var replica = await SecondAccountsReplica.StartAsync(fixture, new Dictionary<string, string?>
        {
            ["Accounts:Tokens:SessionLifetime"] = "00:00:04",
        });
        using var accounts = replica.CreateClient();
        using var login = await accounts.PostAsJsonAsync("/login", new { user.Email, user.Password });
        var refreshToken = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("refreshToken").GetString();

        using var early = await accounts.PostAsJsonAsync("/refresh", new { refreshToken });
        Assert.Equal(HttpStatusCode.OK, early.StatusCode);
        refreshToken = (await early.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("refreshToken").GetString();
        await Task.Delay(TimeSpan.FromSeconds(5));
        using var late = await accounts.PostAsJsonAsync("/refresh", new { refreshToken });

        Assert.Equal(HttpStatusCode.Unauthorized, late.StatusCode);
    }
}
