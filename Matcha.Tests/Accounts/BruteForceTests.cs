using System.Net;
using System.Net.Http.Json;
using Matcha.Accounts.Sessions;

namespace Matcha.Tests.Accounts;

/// <summary>The numbers are those of docs/security.md: 5 failures per account, 20 per address, in 15 minutes.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public class BruteForceTests(MatchaAppFixture fixture)
{
    private const int MaxFailuresPerAccount = 5;
    private const int MaxFailuresPerAddress = 20;

    [Fact]
    public async Task AnAccountIsRefusedWith429AfterFiveFailuresEvenWithTheRightPassword()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = await gateway.SignUpAsync();

        for (var i = 0; i < MaxFailuresPerAccount; i++)
        {
            using var failure = await gateway.PostAsJsonAsync("/api/accounts/login", new { user.Email, password = $"wrong guess number {i}" });
            Assert.Equal(HttpStatusCode.Unauthorized, failure.StatusCode);
        }
        using var refused = await gateway.PostAsJsonAsync("/api/accounts/login", new { user.Email, user.Password });

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
    }

    [Fact]
    public async Task TwoAccountsReplicasShareTheCountOfFailures()
    {
        await using var replica = await SecondAccountsReplica.StartAsync(fixture);
        using var second = replica.CreateClient();
        using var gateway = fixture.CreateGatewayClient();
        var user = await gateway.SignUpAsync();

        // Three failures reach the AppHost's replica (through the gateway), two the second one.
        for (var i = 0; i < MaxFailuresPerAccount; i++)
        {
            var client = i % 2 == 0 ? gateway : second;
            var path = i % 2 == 0 ? "/api/accounts/login" : "/login";
            using var failure = await client.PostAsJsonAsync(path, new { user.Email, password = $"wrong guess number {i}" });
            Assert.Equal(HttpStatusCode.Unauthorized, failure.StatusCode);
        }

        using var refusedByFirst = await gateway.PostAsJsonAsync("/api/accounts/login", new { user.Email, user.Password });
        using var refusedBySecond = await second.PostAsJsonAsync("/login", new { user.Email, user.Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedByFirst.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedBySecond.StatusCode);
    }

    [Fact]
    public async Task FailuresBelowTheLimitAreForgottenAfterASuccess()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = await gateway.SignUpAsync();

        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < MaxFailuresPerAccount - 1; i++)
            {
                using var failure = await gateway.PostAsJsonAsync("/api/accounts/login", new { user.Email, password = $"wrong guess number {i}" });
                Assert.Equal(HttpStatusCode.Unauthorized, failure.StatusCode);
            }
            await gateway.LoginAsync(user);
        }
    }

    [Fact]
    public async Task OneClientAddressIsRefusedAfterTwentyFailuresAcrossAccounts()
    {
        // The AppHost's Accounts has this limit raised (every test signs in from loopback), so an
        // Accounts replica in the test process with the product's own limit is asked, as a trusted
        // proxy would ask it, with a client address of the test's own.
        Assert.Equal(MaxFailuresPerAddress, new LoginThrottleOptions().MaxFailuresPerAddress);
        await using var replica = await SecondAccountsReplica.StartAsync(fixture, new Dictionary<string, string?>
        {
            [$"{LoginThrottleOptions.Section}:{nameof(LoginThrottleOptions.MaxFailuresPerAddress)}"] = null,
        });
        using var accounts = replica.CreateClient();
        var address = $"198.51.100.{Random.Shared.Next(1, 255)}";
        using var gateway = fixture.CreateGatewayClient();
        var victim = await gateway.SignUpAsync();

        for (var i = 0; i < MaxFailuresPerAddress; i++)
        {
            using var failure = await accounts.SendAsync(Login(address, GatewayAccounts.NewUser().Email, "some wrong password"));
            Assert.Equal(HttpStatusCode.Unauthorized, failure.StatusCode);
        }

        using var refused = await accounts.SendAsync(Login(address, victim.Email, victim.Password));
        using var otherAddress = await accounts.SendAsync(Login($"203.0.113.{Random.Shared.Next(1, 255)}", victim.Email, "some wrong password"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.Unauthorized, otherAddress.StatusCode);
    }

    private static HttpRequestMessage Login(string clientAddress, string email, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/login") { Content = JsonContent.Create(new { email, password }) };
        request.Headers.Add("X-Forwarded-For", clientAddress);
        return request;
    }
}
