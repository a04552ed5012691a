using System.Net;
using Matcha.Social.Feed;
using Npgsql;

namespace Matcha.Tests.Social;

/// <summary>The feed: ratings and comments of the members one follows, from Ratings' events, through the gateway.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class FeedTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task TheFeedShowsWhatFollowedMembersRateAndSayNewestFirstAndNothingOfOthers()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (reader, critic, stranger) = (await gateway.NewFanAsync(), await gateway.NewFanAsync(), await gateway.NewFanAsync());
        var critics = await gateway.SocialProfileAsync(critic);
        await gateway.SocialProfileAsync(stranger);
        await gateway.FollowAsync(reader, critics.Handle);
        int[] films = [await fixture.AddFilmAsync(), await fixture.AddFilmAsync()];

        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(critic, films[0], 4.5));
        var comment = await gateway.CommentAsync(critic, films[1], "Worth the trip.");
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(stranger, films[0], 1.0));

        var feed = await EventsDriver.EventuallyAsync(() => gateway.GetAsync<FeedPage>(reader, "/api/social/feed"), f => f.Items.Count >= 2);
        Assert.Equal(
            [("commented", critics.Handle, films[1], (decimal?)null, (long?)comment), ("rated", critics.Handle, films[0], 4.5m, null)],
            feed.Items.Select(i => (i.Kind, i.Member.Handle, i.MovieId, i.Score, i.CommentId)));
        Assert.All(feed.Items, i => Assert.Equal(critics.DisplayName, i.Member.DisplayName));
    }

    [Fact]
    public async Task ARemovedRatingAndAnUnfollowLeaveTheFeed()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (reader, critic) = (await gateway.NewFanAsync(), await gateway.NewFanAsync());
        var criticHandle = (await gateway.SocialProfileAsync(critic)).Handle;
        await gateway.FollowAsync(reader, criticHandle);
        int[] films = [await fixture.AddFilmAsync(), await fixture.AddFilmAsync()];
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(critic, films[0], 3.0));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(critic, films[1], 2.0));
        await EventsDriver.EventuallyAsync(() => gateway.GetAsync<FeedPage>(reader, "/api/social/feed"), f => f.Items.Count == 2);

        Assert.Equal(HttpStatusCode.NoContent, await gateway.UnrateAsync(critic, films[0]));
        var feed = await EventsDriver.EventuallyAsync(() => gateway.GetAsync<FeedPage>(reader, "/api/social/feed"), f => f.Items.Count == 1);
        Assert.Equal([films[1]], feed.Items.Select(i => i.MovieId));

        await gateway.UnfollowAsync(reader, criticHandle);
        Assert.Empty((await gateway.GetAsync<FeedPage>(reader, "/api/social/feed")).Items);
    }

    [Fact]
    public async Task ABurstOfChangesLeavesTheLastStateOfEachInTheOrderTheyWereLastChanged()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (reader, critic) = (await gateway.NewFanAsync(), await gateway.NewFanAsync());
        var criticHandle = (await gateway.SocialProfileAsync(critic)).Handle;
        await gateway.FollowAsync(reader, criticHandle);
        int[] films = [await fixture.AddFilmAsync(), await fixture.AddFilmAsync(), await fixture.AddFilmAsync(), await fixture.AddFilmAsync()];

        // Back to back, so that Social's consumer tends to take several of them in one batch.
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(critic, films[0], 2.0));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(critic, films[1], 3.0));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(critic, films[0], 4.0));
        var comment = await gateway.CommentAsync(critic, films[2], "Gone soon.");
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(critic, films[3], 5.0));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.UnrateAsync(critic, films[3]));
        await gateway.ExpectAsync(critic, HttpMethod.Delete, $"/api/ratings/comments/{comment}", null, HttpStatusCode.NoContent);
        var kept = await gateway.CommentAsync(critic, films[3], "Changed my mind.");

        (string, int, decimal?, long?)[] expected = [("commented", films[3], null, kept), ("rated", films[0], 4.0m, null), ("rated", films[1], 3.0m, null)];
        var feed = await EventsDriver.EventuallyAsync(
            () => gateway.GetAsync<FeedPage>(reader, "/api/social/feed"),
            f => f.Items.Select(i => (i.Kind, i.MovieId, i.Score, i.CommentId)).SequenceEqual(expected));
        Assert.Equal(expected, feed.Items.Select(i => (i.Kind, i.MovieId, i.Score, i.CommentId)));
    }

    [Fact]
    public async Task TheFeedIsPagedWithoutRepeatsOrGapsAcrossFollowedMembers()
    {
        using var gateway = fixture.CreateGatewayClient();
        var reader = await gateway.NewFanAsync();
        var films = new List<int>();
        for (var c = 0; c < 2; c++)
        {
            var critic = await gateway.NewFanAsync();
            await gateway.FollowAsync(reader, (await gateway.SocialProfileAsync(critic)).Handle);
            for (var f = 0; f < 3; f++)
            {
                var film = await fixture.AddFilmAsync();
                films.Add(film);
                Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(critic, film, 3.5));
            }
        }
        await EventsDriver.EventuallyAsync(() => gateway.GetAsync<FeedPage>(reader, "/api/social/feed"), f => f.Items.Count == 6);

        var seen = new List<int>();
        string? cursor = null;
        do
        {
            var query = cursor is null ? "pageSize=4" : $"pageSize=4&cursor={Uri.EscapeDataString(cursor)}";
            var page = await gateway.GetAsync<FeedPage>(reader, $"/api/social/feed?{query}");
            seen.AddRange(page.Items.Select(i => i.MovieId));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Reverse(films), seen);
    }

    [Fact]
    public async Task AFollowedMemberWhoseActivitiesAreOlderThanEveryonesNewestStillFillsTheFeed()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (reader, critic) = (await gateway.NewFanAsync(), await gateway.NewFanAsync());
        var critics = await gateway.SocialProfileAsync(critic);
        await gateway.FollowAsync(reader, critics.Handle);
        var films = new List<int>();
        async Task RateAsync(int expected)
        {
            films.Add(await fixture.AddFilmAsync());
            Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(critic, films[^1], 4.0));
            await EventsDriver.EventuallyAsync(() => gateway.GetAsync<FeedPage>(reader, "/api/social/feed"), f => f.Items.Count == expected);
        }

        // Everyone else does more than a page's first pass looks through, between the critic's first
        // rating and the next three, and again after them.
        await RateAsync(1);
        await StrangersActAsync();
        for (var f = 2; f <= 4; f++)
        {
            await RateAsync(f);
        }
        await StrangersActAsync();

        var first = await gateway.GetAsync<FeedPage>(reader, "/api/social/feed?pageSize=3");
        var second = await gateway.GetAsync<FeedPage>(reader, $"/api/social/feed?pageSize=3&cursor={Uri.EscapeDataString(first.NextCursor!)}");

        Assert.Equal(Enumerable.Reverse(films), first.Items.Concat(second.Items).Select(i => i.MovieId));
        Assert.All(first.Items.Concat(second.Items), i => Assert.Equal(critics.Handle, i.Member.Handle));
        Assert.Null(second.NextCursor);
    }

    [Fact]
    public async Task AFirstPageStaysRightWhenFollowedMembersTakeBackTheirNewestActivities()
    {
        using var gateway = fixture.CreateGatewayClient();
        var reader = await gateway.NewFanAsync();
        var members = new List<Fan>();
        for (var m = 0; m < 5; m++)
        {
            members.Add(await gateway.NewFanAsync());
            await gateway.FollowAsync(reader, (await gateway.SocialProfileAsync(members[^1])).Handle);
        }
        var films = new List<int>();
        async Task RateAsync(IEnumerable<Fan> who, int expected)
        {
            foreach (var fan in who)
            {
                films.Add(await fixture.AddFilmAsync());
                Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, films[^1], 3.0));
            }
            await EventsDriver.EventuallyAsync(() => gateway.GetAsync<FeedPage>(reader, "/api/social/feed"), f => f.Items.Count == expected);
        }
        // Two members rate early, the other three later; then the first two rate again and take it back.
        await RateAsync(members[..2], 2);
        await RateAsync(members[2..], 5);
        await RateAsync(members[..2], 7);
        Assert.Equal(HttpStatusCode.NoContent, await gateway.UnrateAsync(members[0], films[5]));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.UnrateAsync(members[1], films[6]));
        var whole = await EventsDriver.EventuallyAsync(() => gateway.GetAsync<FeedPage>(reader, "/api/social/feed"), f => f.Items.Count == 5);

        // A short first page asks only as many members as it holds items (plus one): the two whose
        // newest ratings were taken back must not stand in for the members with the newest ones.
        var first = await gateway.GetAsync<FeedPage>(reader, "/api/social/feed?pageSize=2");
        Assert.Equal(whole.Items.Take(2).Select(i => i.MovieId), first.Items.Select(i => i.MovieId));
        Assert.All(first.Items, i => Assert.Contains(i.MovieId, films[2..5]));
    }

    /// <summary>More activities of members nobody follows than a page's first pass looks through.</summary>
    private async Task StrangersActAsync()
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("socialdb"));
        await connection.OpenAsync();
        await using var others = new NpgsqlCommand(
            "INSERT INTO activities (user_id, kind, movie_id, score, occurred_at) SELECT gen_random_uuid(), 'Rated', 1, 3.0, now() FROM generate_series(1, @n)",
            connection);
        others.Parameters.AddWithValue("n", FeedApi.RecentWindow + 100);
        await others.ExecuteNonQueryAsync();
    }
}
