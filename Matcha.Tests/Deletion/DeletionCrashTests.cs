using System.Net;

namespace Matcha.Tests.Deletion;

/// <summary>The saga survives SIGKILL of its participants and of its orchestrator, and Redis going away, and still ends the same way.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public class DeletionCrashTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task ADeletionInterruptedByKillingRatingsThenAccountsCompletesAfterTheyRestart()
    {
        using var gateway = fixture.CreateGatewayClient();
        var leaver = await gateway.LeaverWithEverythingAsync(fixture);

        string statusUrl;
        var (ratingsDown, accountsDown) = (false, false);
        try
        {
            // Ratings dies first: the saga's first command waits on the stream.
            await fixture.KillAsync("ratings");
            ratingsDown = true;
            statusUrl = await gateway.StartDeletionAsync(leaver.Fan);
            Assert.Equal("running", await gateway.DeletionStateAsync(statusUrl));
            Assert.Equal(2, await fixture.QueryAsync<long>("ratingsdb", "SELECT count(*) FROM ratings WHERE user_id = @p0 AND score IS NOT NULL", leaver.Fan.Id));

            // Then the orchestrator itself, with the saga in flight.
            await fixture.KillAsync("accounts");
            accountsDown = true;
            await fixture.StartAgainAsync("ratings");
            ratingsDown = false;
            // Ratings erases and replies while Accounts is away; the reply waits for it on the stream.
            var left = await EventsDriver.EventuallyAsync(
                () => fixture.QueryAsync<long>("ratingsdb", "SELECT count(*) FROM ratings WHERE user_id = @p0", leaver.Fan.Id), n => n == 0);
            Assert.Equal(0, left);
        }
        finally
        {
            if (ratingsDown)
            {
                await fixture.StartAgainAsync("ratings");
            }
            if (accountsDown)
            {
                await fixture.StartAgainAsync("accounts");
            }
        }

        Assert.Equal("completed", await gateway.WaitUntilCompletedAsync(statusUrl));
        await fixture.AssertErasedEverywhereAsync(gateway, leaver);
        Assert.Equal(HttpStatusCode.Unauthorized, await gateway.RateAsync(leaver.Fan, leaver.Films[0], 2.0));
    }

    [Fact]
    public async Task ADeletionAcceptedWhileRedisIsDownCompletesOnceRedisIsBack()
    {
        using var gateway = fixture.CreateGatewayClient();
        var leaver = await gateway.LeaverWithEverythingAsync(fixture);
        var admin = await gateway.AdminAsync(fixture);

        string statusUrl;
        await fixture.StopAsync("redis");
        try
        {
            statusUrl = await gateway.StartDeletionAsync(leaver.Fan);
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal("running", await gateway.DeletionStateAsync(statusUrl));
            // Nothing reached Ratings: the command waits in accountsdb's outbox.
            Assert.Equal(2, await fixture.QueryAsync<long>("ratingsdb", "SELECT count(*) FROM ratings WHERE user_id = @p0", leaver.Fan.Id));
            Assert.True(await fixture.QueryAsync<long>("accountsdb",
                "SELECT count(*) FROM outbox_messages WHERE published_at IS NULL AND type = 'EraseUserData'") >= 1);
            var running = await gateway.GetAsync<System.Text.Json.JsonElement>(admin, "/api/accounts/admin/deletions?state=running");
            Assert.Contains(running.EnumerateArray(), d => d.GetProperty("userId").GetGuid() == leaver.Fan.Id && d.GetProperty("step").GetString() == "ratings");
        }
        finally
        {
            await fixture.StartAgainAsync("redis");
        }

        Assert.Equal("completed", await gateway.WaitUntilCompletedAsync(statusUrl));
        await fixture.AssertErasedEverywhereAsync(gateway, leaver);
        // Redis came back empty; the deny entry was written again, so the old token still writes nothing.
        Assert.Equal(HttpStatusCode.Unauthorized, await gateway.RateAsync(leaver.Fan, leaver.Films[0], 2.0));
    }
}
