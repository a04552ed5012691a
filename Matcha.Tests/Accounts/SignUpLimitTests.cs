using System.Net;
using System.Net.Http.Json;

namespace Matcha.Tests.Accounts;

/// <summary>Sign-up limits of docs/security.md: 10 per client address and 3 per email, per hour, counted before any work.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public class SignUpLimitTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task TwentySignUpsInOneBurstFromOneAddressMakeAtMostTen()
    {
        // A replica with the limit as shipped (the AppHost's, under test, is raised for every test's sign-ups).
        await using var replica = await SecondAccountsReplica.StartAsync(fixture, new Dictionary<string, string?>
        {
            ["Accounts:SignUpThrottle:MaxPerAddress"] = "10",
        });
        using var accounts = replica.CreateClient();
        // A client address of the test's own, forwarded as the gateway does: loopback's count is shared
        // with every other test's sign-ups through the AppHost's Accounts (same Redis).
        var address = $"198.51.100.{Random.Shared.Next(1, 255)}";

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            var user = GatewayAccounts.NewUser();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/signup") { Content = JsonContent.Create(new { user.Email, user.Password, user.DisplayName }) };
            request.Headers.Add("X-Forwarded-For", address);
            using var response = await accounts.SendAsync(request);
            return response.StatusCode;
        }));

        Assert.Equal(10, answers.Count(a => a == HttpStatusCode.Created));
        Assert.Equal(10, answers.Count(a => a == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task OneEmailIsSignedUpAtMostThreeTimesAnHourTakenOrNot()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = GatewayAccounts.NewUser();

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await gateway.PostAsJsonAsync("/api/accounts/signup", new { user.Email, user.Password, user.DisplayName });
            answers.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], answers);
    }
}
