using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Matcha.Accounts.Passwords;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Matcha.Tests.Accounts;

/// <summary>
/// Password checks are counted before the password is hashed, atomically, so guesses sent at once
/// cannot outrun the limit; the password check of DELETE /me counts with sign-in's (docs/security.md).
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class PasswordAttemptTests(MatchaAppFixture fixture)
{
    private const int MaxFailuresPerAccount = 5;

    [Fact]
    public async Task TwentyFiveConcurrentWrongPasswordsReachThePasswordHashAtMostFiveTimes()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = await gateway.SignUpAsync();
        // A replica in the test process: its meter shows how often a password was hashed to be checked.
        await using var replica = await SecondAccountsReplica.StartAsync(fixture);
        using var accounts = replica.CreateClient();
        using var verifications = new MetricCollector<long>(
            replica.Services.GetRequiredService<IMeterFactory>(), PasswordHasher.MeterName, PasswordHasher.VerificationsInstrument);

        var answers = await Task.WhenAll(Enumerable.Range(0, 25).Select(async i =>
        {
            using var response = await accounts.PostAsJsonAsync("/login", new { user.Email, password = $"wrong guess number {i}" });
            return response.StatusCode;
        }));

        Assert.InRange(verifications.GetMeasurementSnapshot().Sum(m => m.Value), 1, MaxFailuresPerAccount);
        Assert.InRange(answers.Count(a => a == HttpStatusCode.Unauthorized), 1, MaxFailuresPerAccount);
        Assert.All(answers, a => Assert.True(a is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, $"answered {a}"));
    }

    [Fact]
    public async Task WrongPasswordsGivenToDeleteTheAccountCountWithSignInFailures()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (tokens, id) = await gateway.SignUpAndLoginAsync();
        var email = (await gateway.GetMeAsync(tokens.AccessToken)).Email;
        // Straight to Accounts, as the gateway calls it, from a client address of the test's own
        // (every test's sign-ins share loopback's budget): an internal token for a sign-in an hour
        // ago, so deleting the account needs the password.
        using var accounts = new HttpClient { BaseAddress = fixture.App.GetEndpoint("accounts", "http") };
        var address = $"198.51.100.{Random.Shared.Next(1, 255)}";
        var signedInAt = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();
        var now = DateTime.UtcNow;
        var internalToken = TestTokens.Mint(TestTokens.GatewayCredentials(await fixture.ParameterAsync("gateway-signing-key")), id.ToString(),
            TestTokens.GatewayIssuer, "accounts", TestTokens.InternalTokenType, now, now.AddMinutes(1),
            new Dictionary<string, object> { ["name"] = "Film Fan", ["role"] = Array.Empty<string>(), ["auth_time"] = signedInAt });

        for (var i = 0; i < 3; i++)
        {
            using var wrong = await accounts.SendAsync(DeleteMe(internalToken, address, $"wrong guess number {i}"));
            Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        }
        for (var i = 3; i < MaxFailuresPerAccount; i++)
        {
            using var wrong = await accounts.SendAsync(Login(address, email, $"wrong guess number {i}"));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var deleteRefused = await accounts.SendAsync(DeleteMe(internalToken, address, "one more guess at it"));
        Assert.Equal(HttpStatusCode.TooManyRequests, deleteRefused.StatusCode);
        Assert.NotNull(deleteRefused.Headers.RetryAfter);
    }

    private static HttpRequestMessage DeleteMe(string internalToken, string clientAddress, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, "/me") { Content = JsonContent.Create(new { password }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", internalToken);
        request.Headers.Add("X-Forwarded-For", clientAddress);
        return request;
    }

    private static HttpRequestMessage Login(string clientAddress, string email, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/login") { Content = JsonContent.Create(new { email, password }) };
        request.Headers.Add("X-Forwarded-For", clientAddress);
        return request;
    }
}
