using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matcha.Tests.Social;

/// <summary>Members, names copied from Accounts by events, and follows, through the gateway.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class FollowsTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task ANewAccountBecomesAMemberUnderItsDisplayNameWithAHandleThatIsNotItsUserId()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();

        var me = await gateway.SocialProfileAsync(fan);
        var account = await gateway.GetMeAsync(fan.AccessToken);

        Assert.Equal(account.DisplayName, me.DisplayName);
        Assert.NotEqual(fan.Id, me.Handle);
        Assert.True(me.IsMe);
        Assert.Equal((0, 0), (me.Followers, me.Following));
    }

    [Fact]
    public async Task ARenameInAccountsReachesEveryListThatShowsTheMember()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (fan, friend) = (await gateway.NewFanAsync(), await gateway.NewFanAsync());
        var fanHandle = (await gateway.SocialProfileAsync(fan)).Handle;
        var friendHandle = (await gateway.SocialProfileAsync(friend)).Handle;
        await gateway.FollowAsync(fan, friendHandle);

        var newName = $"Renamed {Guid.NewGuid():N}"[..20];
        using (var patch = await gateway.PatchMeAsync(fan.AccessToken, new { displayName = newName }))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }

        var followers = await EventsDriver.EventuallyAsync(
            () => gateway.GetAsync<MemberPage>(friend, $"/api/social/members/{friendHandle}/followers"),
            page => page.Items.Any(m => m.DisplayName == newName));
        Assert.Equal([new MemberCardView(fanHandle, newName)], followers.Items);
        Assert.Equal(newName, (await gateway.GetAsync<MemberProfileView>(friend, $"/api/social/members/{fanHandle}")).DisplayName);
    }

    [Fact]
    public async Task FollowingShowsOnBothSidesOnceAndUnfollowingTakesItBack()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (fan, star) = (await gateway.NewFanAsync(), await gateway.NewFanAsync());
        var fanProfile = await gateway.SocialProfileAsync(fan);
        var starHandle = (await gateway.SocialProfileAsync(star)).Handle;

        await gateway.FollowAsync(fan, starHandle);
        await gateway.FollowAsync(fan, starHandle);

        var seenByFan = await gateway.GetAsync<MemberProfileView>(fan, $"/api/social/members/{starHandle}");
        Assert.Equal((1, true, false), (seenByFan.Followers, seenByFan.FollowedByMe, seenByFan.IsMe));
        Assert.Equal([new MemberCardView(starHandle, seenByFan.DisplayName)],
            (await gateway.GetAsync<MemberPage>(star, $"/api/social/members/{fanProfile.Handle}/following")).Items);
        Assert.Equal([new MemberCardView(fanProfile.Handle, fanProfile.DisplayName)],
            (await gateway.GetAsync<MemberPage>(star, $"/api/social/members/{starHandle}/followers")).Items);

        await gateway.UnfollowAsync(fan, starHandle);

        var after = await gateway.GetAsync<MemberProfileView>(fan, $"/api/social/members/{starHandle}");
        Assert.Equal((0, false), (after.Followers, after.FollowedByMe));
        Assert.Empty((await gateway.GetAsync<MemberPage>(star, $"/api/social/members/{starHandle}/followers")).Items);
    }

    [Fact]
    public async Task FollowerListsArePagedNewestFirstWithoutRepeatsOrGaps()
    {
        using var gateway = fixture.CreateGatewayClient();
        var star = await gateway.NewFanAsync();
        var starHandle = (await gateway.SocialProfileAsync(star)).Handle;
        var followers = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            var fan = await gateway.NewFanAsync();
            followers.Add((await gateway.SocialProfileAsync(fan)).Handle);
            await gateway.FollowAsync(fan, starHandle);
        }

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var query = cursor is null ? "pageSize=2" : $"pageSize=2&cursor={Uri.EscapeDataString(cursor)}";
            var page = await gateway.GetAsync<MemberPage>(star, $"/api/social/members/{starHandle}/followers?{query}");
            Assert.True(page.Items.Count <= 2);
            seen.AddRange(page.Items.Select(m => m.Handle));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Reverse(followers), seen);
    }

    [Theory]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=101", "pageSize")]
    [InlineData("cursor=abc", "cursor")]
    public async Task ABadPageRequestIsA400NamingTheField(string query, string field)
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        var handle = (await gateway.SocialProfileAsync(fan)).Handle;

        using var response = await gateway.SendAsync(fan, HttpMethod.Get, $"/api/social/members/{handle}/followers?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task AMemberCannotFollowThemselvesNorAnUnknownHandle()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        var me = await gateway.SocialProfileAsync(fan);

        using (var self = await gateway.SendAsync(fan, HttpMethod.Put, $"/api/social/members/{me.Handle}/follow"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, self.StatusCode);
            Assert.True((await self.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("handle", out _));
        }
        await gateway.ExpectAsync(fan, HttpMethod.Put, $"/api/social/members/{Guid.NewGuid()}/follow", null, HttpStatusCode.NotFound);
        // The user id is not a handle: internal ids find nobody.
        await gateway.ExpectAsync(fan, HttpMethod.Get, $"/api/social/members/{fan.Id}", null, HttpStatusCode.NotFound);
        Assert.Equal(0, (await gateway.SocialProfileAsync(fan)).Following);
    }
}
