using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matcha.Tests.Deletion;

/// <summary>DELETE /api/accounts/me, end to end: the saga across Accounts, Ratings and Catalog.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public class AccountDeletionTests(MatchaAppFixture fixture)
{
    private const int ConsumerKind = 5;

    [Fact]
    public async Task ADeletedAccountLeavesNoRowAnywhereAndCatalogAgreesWithWhatRatingsKeeps()
    {
        using var gateway = fixture.CreateGatewayClient();
        var leaver = await gateway.LeaverWithEverythingAsync(fixture);
        var traceId = ActivityTraceId.CreateRandom().ToHexString();

        var statusUrl = await gateway.StartDeletionAsync(leaver.Fan, $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        // From the 202 on: no sign-in, no refresh, and the old access token writes nothing.
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(gateway, leaver.Account));
        using (var refresh = await gateway.RefreshAsync(leaver.Tokens.RefreshToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await gateway.RateAsync(leaver.Fan, leaver.Films[0], 5.0));
        using (var patch = await gateway.PatchMeAsync(leaver.Fan.AccessToken, new { displayName = "Still here" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, patch.StatusCode);
        }

        Assert.Equal("completed", await gateway.WaitUntilCompletedAsync(statusUrl));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(gateway, leaver.Account));
        await fixture.AssertErasedEverywhereAsync(gateway, leaver);

        // A privacy change of the user's relayed only now, after every step: Ratings applies it
        // without bringing anything back, and forgets the trace its inbox just recorded.
        using (var redis = await fixture.RedisAsync())
        {
            var late = EventsDriver.Envelope("MemberPrivacyChanged", $"member/{leaver.Fan.Id}", 1_000_000, new { userId = leaver.Fan.Id, isPrivate = false, version = 1_000_000 });
            await redis.PublishAsync("social", late);
            Assert.Equal(1, await EventsDriver.EventuallyAsync(
                () => fixture.QueryAsync<long>("ratingsdb", "SELECT count(*) FROM inbox_messages WHERE event_id = @p0", late.EventId), n => n == 1));
        }
        Assert.Empty(await fixture.RowsMentioningAsync(leaver.Fan.Id));

        // The email is free again: a new account, with a new id.
        using (var again = await gateway.PostAsJsonAsync("/api/accounts/signup",
            new { leaver.Account.Email, password = leaver.Account.Password, displayName = "Back again" }))
        {
            Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        }
        // The first mail was the erased account's link; the second is the new account's.
        using (var verified = await gateway.VerifyAsync(await gateway.VerificationTokenAsync(leaver.Account.Email, mailCount: 2)))
        {
            Assert.Equal(HttpStatusCode.NoContent, verified.StatusCode);
        }
        var tokens = await gateway.LoginAsync(leaver.Account);
        Assert.NotEqual(leaver.Fan.Id, (await gateway.GetMeAsync(tokens.AccessToken)).Id);

        // One trace: the DELETE, each participant's step, and each reply back in Accounts.
        var spans = await fixture.Traces.WaitForTraceAsync(traceId,
            s => s.Count(x => x.Service == "accounts" && x.Name == "UserDataErased process") >= 3, EventsDriver.Patience);
        // Each participant reads every command of the saga (and a step that was not ready yet is sent again), so these are lower bounds.
        Assert.Single(spans, s => s.Service == "gateway" && s.Kind == ExportedSpan.ServerKind);
        Assert.True(spans.Count(s => s.Service == "ratings" && s.Kind == ConsumerKind && s.Name == "EraseUserData process") >= 3);
        Assert.True(spans.Count(s => s.Service == "catalog" && s.Kind == ConsumerKind && s.Name == "EraseUserData process") >= 3);
        Assert.True(spans.Count(s => s.Service == "accounts" && s.Kind == ConsumerKind && s.Name == "UserDataErased process") >= 3);
        Assert.Contains(spans, s => s.Service == "catalog" && s.Name == "RatingChanged process");
    }

    [Fact]
    public async Task DeletionNeedsAFreshSignInOrThePassword()
    {
        using var gateway = fixture.CreateGatewayClient();
        var account = await gateway.SignUpAsync();
        var tokens = await gateway.LoginAsync(account);
        var id = (await gateway.GetMeAsync(tokens.AccessToken)).Id;
        // A valid token of this user, signed by Accounts' key, whose sign-in was an hour ago.
        var stale = new Fan(id, await fixture.AccessTokenSignedInAtAsync(id, DateTimeOffset.UtcNow.AddHours(-1)));

        using (var refused = await gateway.DeleteAccountAsync(stale))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("A fresh sign-in is required", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        }
        using (var wrong = await gateway.DeleteAccountAsync(stale, "not the password"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
            Assert.True((await wrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("password", out _));
        }
        // Nothing changed: the account still signs in.
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(gateway, account));

        using var accepted = await gateway.DeleteAccountAsync(stale, account.Password);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var statusUrl = accepted.Headers.Location!.OriginalString;

        // By now even the user's fresh token changes nothing: the account is being deleted.
        using (var twice = await gateway.DeleteAccountAsync(new Fan(id, tokens.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, twice.StatusCode);
        }
        Assert.Equal("completed", await gateway.WaitUntilCompletedAsync(statusUrl));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(gateway, account));
    }

    [Fact]
    public async Task TheStatusUrlIsPublicButShowsOnlyTheStateAndUnknownIdsAreNotFound()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        var statusUrl = await gateway.StartDeletionAsync(fan);

        using var status = await gateway.GetAsync(statusUrl);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var body = await status.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["completedAt", "id", "requestedAt", "state"], body.EnumerateObject().Select(p => p.Name).Order());
        Assert.DoesNotContain(fan.Id.ToString(), body.GetRawText());

        using var unknown = await gateway.GetAsync($"/api/accounts/deletions/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("completed", await gateway.WaitUntilCompletedAsync(statusUrl));
    }

    [Fact]
    public async Task OnlyAnAdminListsDeletionsAndAnUnknownStateIsABadRequest()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        var admin = await gateway.AdminAsync(fixture);

        await gateway.ExpectAsync(fan, HttpMethod.Get, "/api/accounts/admin/deletions?state=needsAttention", null, HttpStatusCode.Forbidden);
        await gateway.ExpectAsync(fan, HttpMethod.Post, $"/api/accounts/admin/deletions/{Guid.NewGuid()}/retry", null, HttpStatusCode.Forbidden);
        using (var bad = await gateway.SendAsync(admin, HttpMethod.Get, "/api/accounts/admin/deletions?state=gone"))
        {
            Assert.Equal(["state"], await bad.ProblemFieldsAsync());
        }
        await gateway.ExpectAsync(admin, HttpMethod.Get, "/api/accounts/admin/deletions?state=needsAttention", null, HttpStatusCode.OK);
        await gateway.ExpectAsync(admin, HttpMethod.Post, $"/api/accounts/admin/deletions/{Guid.NewGuid()}/retry", null, HttpStatusCode.NotFound);
    }

    private static async Task<HttpStatusCode> LoginStatusAsync(HttpClient gateway, SignedUpUser account)
    {
        using var response = await gateway.PostAsJsonAsync("/api/accounts/login", new { account.Email, account.Password });
        return response.StatusCode;
    }
}
