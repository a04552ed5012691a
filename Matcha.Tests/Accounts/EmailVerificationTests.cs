using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Matcha.Accounts.Passwords;

namespace Matcha.Tests.Accounts;

/// <summary>
/// docs/security.md, "enumeration": sign-up, sign-in and lockout answer alike whether an email is
/// taken or not; only the mailbox's owner learns which (by the mail the sink shows).
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class EmailVerificationTests(MatchaAppFixture fixture)
{
    private const int MaxFailuresPerAccount = 5;

    [Fact]
    public async Task ATakenAndANewEmailAreIndistinguishableAcrossSignUpSignInAndLockout()
    {
        using var gateway = fixture.CreateGatewayClient();
        var owner = await gateway.SignUpAsync();
        // A replica in this process, so its password work can be counted.
        await using var replica = await SecondAccountsReplica.StartAsync(fixture);
        using var accounts = replica.CreateClient();
        using var work = new PasswordWork();
        var taken = owner.Email;
        var fresh = GatewayAccounts.NewUser().Email;
        const string password = "an attacker's long passphrase";

        var signUps = new Dictionary<string, Answer>();
        foreach (var email in (string[])[taken, fresh])
        {
            work.Reset();
            using var response = await accounts.PostAsJsonAsync("/signup", new { email, password, displayName = "Someone" });
            signUps[email] = await Answer.ReadAsync(response, email, work);
        }
        Assert.Equal(HttpStatusCode.Created, signUps[taken].Status);
        Assert.Equal(signUps[fresh], signUps[taken]);
        Assert.Equal(1, signUps[taken].Hashes);

        // The password just given: wrong for the taken email, right for the new (unverified) one.
        var signIns = new Dictionary<string, List<Answer>>();
        foreach (var email in (string[])[taken, fresh])
        {
            signIns[email] = [];
            for (var i = 0; i <= MaxFailuresPerAccount; i++)
            {
                work.Reset();
                using var response = await accounts.PostAsJsonAsync("/login", new { email, password });
                signIns[email].Add(await Answer.ReadAsync(response, email, work));
            }
        }
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, MaxFailuresPerAccount), HttpStatusCode.TooManyRequests],
            signIns[taken].Select(a => a.Status));
        Assert.Equal(signIns[fresh], signIns[taken]);
        Assert.All(signIns[taken].Take(MaxFailuresPerAccount), a => Assert.Equal(1, a.Verifications));

        // What differs is the mail, which only the address's owner reads; the owner's account is unchanged.
        var toOwner = await gateway.WaitForMailsAsync(taken, 2);
        Assert.Contains("Someone tried to sign up", toOwner[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("/verify?token=", toOwner[^1], StringComparison.Ordinal);
        Assert.Contains("/verify?token=", (await gateway.WaitForMailsAsync(fresh))[0], StringComparison.Ordinal);
        Assert.Equal("Film Fan", await fixture.ScalarAsync<string>("select display_name from users where email = @p0", taken));
    }

    [Fact]
    public async Task AnAccountSignsInOnlyAfterItsLinkIsOpenedAndTheLinkWorksOnce()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = GatewayAccounts.NewUser();
        using (var signUp = await gateway.PostAsJsonAsync("/api/accounts/signup", new { user.Email, user.Password, user.DisplayName }))
        {
            Assert.Equal(HttpStatusCode.Created, signUp.StatusCode);
        }
        using (var early = await gateway.PostAsJsonAsync("/api/accounts/login", new { user.Email, user.Password }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, early.StatusCode);
        }

        var token = await gateway.VerificationTokenAsync(user.Email);
        using (var verified = await gateway.VerifyAsync(token))
        {
            Assert.Equal(HttpStatusCode.NoContent, verified.StatusCode);
        }
        var tokens = await gateway.LoginAsync(user);
        Assert.Equal(user.DisplayName, (await gateway.GetMeAsync(tokens.AccessToken)).DisplayName);

        using var again = await gateway.VerifyAsync(token);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal(["token"], await again.ProblemFieldsAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("forged-token-that-was-never-issued-AAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task AForgedLinkIsA400NamingTheToken(string token)
    {
        using var gateway = fixture.CreateGatewayClient();

        using var response = await gateway.VerifyAsync(token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["token"], await response.ProblemFieldsAsync());
    }

    [Fact]
    public async Task AnExpiredLinkIsA400NamingTheTokenAndVerifiesNothing()
    {
        // A replica whose links expire as they are made.
        await using var replica = await SecondAccountsReplica.StartAsync(fixture, new Dictionary<string, string?>
        {
            ["Accounts:Mail:VerificationLifetime"] = "00:00:00",
        });
        using var accounts = replica.CreateClient();
        using var gateway = fixture.CreateGatewayClient();
        var user = GatewayAccounts.NewUser();
        using (var signUp = await accounts.PostAsJsonAsync("/signup", new { user.Email, user.Password, user.DisplayName }))
        {
            Assert.Equal(HttpStatusCode.Created, signUp.StatusCode);
        }

        using var response = await gateway.VerifyAsync(await gateway.VerificationTokenAsync(user.Email));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["token"], await response.ProblemFieldsAsync());
        Assert.Equal(0L, await fixture.ScalarAsync<long>("select count(*) from users where email = @p0 and email_verified_at is not null", user.Email));
    }

    /// <summary>What a client can see of an answer (the email it gave masked), and the password work done for it.</summary>
    private sealed record Answer(HttpStatusCode Status, string Body, string? RetryAfterMinutes, long Hashes, long Verifications)
    {
        public static async Task<Answer> ReadAsync(HttpResponseMessage response, string email, PasswordWork work)
        {
            var body = (await response.Content.ReadAsStringAsync()).Replace(email, "EMAIL", StringComparison.OrdinalIgnoreCase);
            // traceId differs per request, and a lockout's seconds to wait by the second its window
            // happened to start (as for any two emails); everything else must not differ.
            body = Regex.Replace(body, "\"traceId\":\"[^\"]*\"", "\"traceId\":\"…\"");
            body = Regex.Replace(body, "Try again in [0-9]+ seconds", "Try again in N seconds");
            var retryAfter = response.Headers.RetryAfter?.Delta is { } delta ? $"{Math.Round(delta.TotalMinutes)}" : null;
            return new(response.StatusCode, body, retryAfter, work.Hashes, work.Verifications);
        }
    }

    /// <summary>Counts the password hashing the in-process replica does (its meter is in this process).</summary>
    private sealed class PasswordWork : IDisposable
    {
        private readonly MeterListener listener = new();
        private long hashes;
        private long verifications;

        public PasswordWork()
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == PasswordHasher.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                if (instrument.Name == PasswordHasher.HashesInstrument)
                {
                    Interlocked.Add(ref hashes, value);
                }
                else if (instrument.Name == PasswordHasher.VerificationsInstrument)
                {
                    Interlocked.Add(ref verifications, value);
                }
            });
            listener.Start();
        }

        public long Hashes => Interlocked.Read(ref hashes);
        public long Verifications => Interlocked.Read(ref verifications);

        public void Reset()
        {
            Interlocked.Exchange(ref hashes, 0);
            Interlocked.Exchange(ref verifications, 0);
        }

        public void Dispose() => listener.Dispose();
    }
}
