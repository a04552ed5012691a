using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matcha.Tests.Social;

/// <summary>
/// A member's profile contents (Ratings, by handle) and private profiles (Social's flag, carried to
/// Ratings by event), through the gateway.
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class ProfileTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task AProfileShowsTheMembersRatingsNewestFirstTheirCommentsAndATasteSummaryWithoutTheirUserId()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (critic, visitor) = (await gateway.NewFanAsync(), await gateway.NewFanAsync());
        var handle = (await gateway.SocialProfileAsync(critic)).Handle;
        int[] films =
        [
            await fixture.AddFilmAsync(shape: m => m.Genres = ["Thriller", "Drama"]),
            await fixture.AddFilmAsync(shape: m => m.Genres = ["Thriller"]),
            await fixture.AddFilmAsync(shape: m => m.Genres = ["Comedy"]),
        ];
        var wished = await fixture.AddFilmAsync();
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(critic, films[0], 4.5));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(critic, films[1], 5.0));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(critic, films[2], 1.0));
        var comment = await gateway.CommentAsync(critic, films[0], "Tense to the last frame.");
        await gateway.ExpectAsync(critic, HttpMethod.Put, $"/api/ratings/movies/{wished}/wishlist", new { state = "wantToWatch" }, HttpStatusCode.NoContent);

        var first = await OpenAsync<ProfileRatingsPage>(gateway, visitor, $"/api/ratings/members/{handle}/ratings?pageSize=2");
        Assert.Equal([(films[2], 1.0m), (films[1], 5.0m)], first.Items.Select(r => (r.MovieId, r.Score)));
        var rest = await gateway.GetAsync<ProfileRatingsPage>(visitor, $"/api/ratings/members/{handle}/ratings?pageSize=2&cursor={Uri.EscapeDataString(first.NextCursor!)}");
        Assert.Equal([(films[0], 4.5m)], rest.Items.Select(r => (r.MovieId, r.Score)));
        Assert.Null(rest.NextCursor);

        var comments = await gateway.GetAsync<ProfileCommentsPage>(visitor, $"/api/ratings/members/{handle}/comments");
        Assert.Equal([(comment, films[0], "Tense to the last frame.", handle, false)],
            comments.Items.Select(c => (c.Id, c.MovieId, c.Text, c.Author.Handle, c.Mine)));

        var taste = await gateway.GetAsync<MemberTaste>(visitor, $"/api/ratings/members/{handle}/taste");
        Assert.Equal((3, 1, 1, 3.5), (taste.Ratings, taste.Comments, taste.WantToWatch, taste.Average));
        Assert.Equal([0, 1, 0, 0, 0, 0, 0, 0, 1, 1], taste.Distribution);
        // Thriller: (4.5 − 2.75) + (5 − 2.75) = 4; Drama 1.75; Comedy is disliked, so no favourite.
        Assert.Equal([("Thriller", 2, 4.0), ("Drama", 1, 1.75)], taste.Genres.Select(g => (g.Name, g.Count, g.Weight)));

        foreach (var path in new[] { "ratings", "comments", "taste" })
        {
            using var response = await gateway.SendAsync(visitor, HttpMethod.Get, $"/api/ratings/members/{handle}/{path}");
            Assert.DoesNotContain(critic.Id.ToString(), await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }
        using var unknown = await gateway.SendAsync(visitor, HttpMethod.Get, $"/api/ratings/members/{Guid.NewGuid()}/ratings");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task APrivateProfileShowsOthersItsNameAndCountsOnlyAndItsMemberEverything()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (member, follower) = (await gateway.NewFanAsync(), await gateway.NewFanAsync());
        var handle = (await gateway.SocialProfileAsync(member)).Handle;
        await gateway.SocialProfileAsync(follower);
        await gateway.FollowAsync(follower, handle);
        var film = await fixture.AddFilmAsync();
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(member, film, 4.0));
        var comment = await gateway.CommentAsync(member, film, "Quietly brilliant.");
        await OpenAsync<ProfileRatingsPage>(gateway, follower, $"/api/ratings/members/{handle}/ratings");
        await EventsDriver.EventuallyAsync(() => gateway.GetAsync<FeedPage>(follower, "/api/social/feed"), f => f.Items.Count == 2);

        var own = await gateway.SetPrivateAsync(member, true);
        Assert.True(own.IsPrivate);

        // Others: the name and the counts, and a 403 for every list, once Ratings has heard.
        var seen = await gateway.GetAsync<MemberProfileView>(follower, $"/api/social/members/{handle}");
        Assert.Equal((own.DisplayName, 1, true, true), (seen.DisplayName, seen.Followers, seen.FollowedByMe, seen.IsPrivate));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, follower, $"/api/social/members/{handle}/followers"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, follower, $"/api/social/members/{handle}/following"));
        Assert.Equal(HttpStatusCode.Forbidden, await EventsDriver.EventuallyAsync(
            () => StatusAsync(gateway, follower, $"/api/ratings/members/{handle}/ratings"), s => s == HttpStatusCode.Forbidden));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, follower, $"/api/ratings/members/{handle}/comments"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, follower, $"/api/ratings/members/{handle}/taste"));
        Assert.Empty((await gateway.GetAsync<FeedPage>(follower, "/api/social/feed")).Items);
        // A comment on a film is a public statement about the film: it stays on the film's page.
        var onFilm = await gateway.GetAsync<ProfileCommentsPage>(follower, $"/api/ratings/movies/{film}/comments");
        Assert.Contains(onFilm.Items, c => c.Id == comment && c.Author.Handle == handle);

        // The member: everything, as before.
        Assert.Single((await gateway.GetAsync<ProfileRatingsPage>(member, $"/api/ratings/members/{handle}/ratings")).Items);
        Assert.Single((await gateway.GetAsync<MemberPage>(member, $"/api/social/members/{handle}/followers")).Items);
        Assert.Equal(1, (await gateway.GetAsync<MemberTaste>(member, $"/api/ratings/members/{handle}/taste")).Ratings);

        // Public again: the lists open once Ratings has heard, and the feed shows the history at once.
        Assert.False((await gateway.SetPrivateAsync(member, false)).IsPrivate);
        await OpenAsync<ProfileRatingsPage>(gateway, follower, $"/api/ratings/members/{handle}/ratings");
        Assert.Equal(2, (await gateway.GetAsync<FeedPage>(follower, "/api/social/feed")).Items.Count);
    }

    [Fact]
    public async Task BadProfileRequestsAreA400NamingTheField()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        var handle = (await gateway.SocialProfileAsync(fan)).Handle;
        await OpenAsync<ProfileRatingsPage>(gateway, fan, $"/api/ratings/members/{handle}/ratings");

        string[][] bad =
        [
            [$"/api/ratings/members/{handle}/ratings?pageSize=0", "pageSize"],
            [$"/api/ratings/members/{handle}/ratings?cursor=not-a-cursor", "cursor"],
            [$"/api/ratings/members/{handle}/comments?pageSize=101", "pageSize"],
            [$"/api/ratings/members/{handle}/comments?cursor=1.2.3", "cursor"],
            [$"/api/social/members/{handle}/followers?cursor=x", "cursor"],
        ];
        foreach (var (path, field) in bad.Select(b => (b[0], b[1])))
        {
            using var response = await gateway.SendAsync(fan, HttpMethod.Get, path);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _), path);
        }
        using var missing = await gateway.SendAsync(fan, HttpMethod.Put, "/api/social/me/privacy", new { });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.True((await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("private", out _));
        Assert.False((await gateway.SocialProfileAsync(fan)).IsPrivate);
    }

    /// <summary>Reads a profile list once Accounts' announcement of the member has reached Ratings (404 until then).</summary>
    private static async Task<T> OpenAsync<T>(HttpClient gateway, Fan viewer, string path)
    {
        await EventsDriver.EventuallyAsync(() => StatusAsync(gateway, viewer, path), s => s == HttpStatusCode.OK);
        return await gateway.GetAsync<T>(viewer, path);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient gateway, Fan viewer, string path)
    {
        using var response = await gateway.SendAsync(viewer, HttpMethod.Get, path);
        return response.StatusCode;
    }

    private sealed record ProfileRating(int MovieId, decimal Score, DateTimeOffset RatedAt);

    private sealed record ProfileRatingsPage(IReadOnlyList<ProfileRating> Items, string? NextCursor);

    private sealed record ProfileComment(long Id, int MovieId, MemberCardView Author, bool Mine, string? Text);

    private sealed record ProfileCommentsPage(IReadOnlyList<ProfileComment> Items, string? NextCursor);

    private sealed record FavouriteGenre(string Name, int Count, double Weight);

    private sealed record MemberTaste(int Ratings, int Comments, int WantToWatch, int[] Distribution, double? Average, IReadOnlyList<FavouriteGenre> Genres);
}
