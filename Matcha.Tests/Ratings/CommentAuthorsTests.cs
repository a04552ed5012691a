using System.Text.Json;

namespace Matcha.Tests.Ratings;

/// <summary>
/// Comments are signed with their author's display name and a link to their profile, copied to
/// Ratings from Accounts' events; the internal user id is in no answer that shows a comment.
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class CommentAuthorsTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task ACommentShowsItsAuthorsNameAndTheHandleOfTheirProfileAndNeverTheirUserId()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (author, reader) = (await gateway.NewFanAsync(), await gateway.NewFanAsync());
        var account = await gateway.GetMeAsync(author.AccessToken);
        var movieId = await fixture.AddFilmAsync();
        var commentId = await gateway.CommentAsync(author, movieId, "Signed, not numbered.");

        var seen = await EventuallySignedAsync(gateway, reader, movieId, commentId, account.DisplayName);
        var signature = seen.GetProperty("author");
        Assert.Equal(account.Handle, signature.GetProperty("handle").GetGuid());
        Assert.False(seen.GetProperty("mine").GetBoolean());
        // The handle is the one Social's profile answers to: the link leads to this author.
        var profile = await gateway.GetAsync<MemberProfileView>(reader, $"/api/social/members/{account.Handle}");
        Assert.Equal((account.Handle, account.DisplayName), (profile.Handle, profile.DisplayName));

        // Every answer that shows the comment: Ratings' list, the film screen, the author's own lists.
        string[] paths =
        [
            $"/api/ratings/movies/{movieId}/comments",
            $"/api/ratings/movies/{movieId}/comments?sort=likes",
            $"/api/screens/movie/{movieId}",
        ];
        foreach (var path in paths)
        {
            var body = await RawAsync(gateway, reader, path);
            Assert.Contains(account.DisplayName, body, StringComparison.Ordinal);
            Assert.DoesNotContain(author.Id.ToString(), body, StringComparison.OrdinalIgnoreCase);
        }
        var own = await gateway.GetAsync<JsonElement>(author, "/api/ratings/me/comments");
        var mine = Assert.Single(own.GetProperty("items").EnumerateArray());
        Assert.True(mine.GetProperty("mine").GetBoolean());
        Assert.Equal(account.Handle, mine.GetProperty("author").GetProperty("handle").GetGuid());
        Assert.DoesNotContain(author.Id.ToString(), await RawAsync(gateway, author, "/api/ratings/me/comments"), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ARenameReachesTheSignatureOfCommentsAlreadyWritten()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (author, reader) = (await gateway.NewFanAsync(), await gateway.NewFanAsync());
        var movieId = await fixture.AddFilmAsync();
        var commentId = await gateway.CommentAsync(author, movieId, "Written before the rename.");
        await EventuallySignedAsync(gateway, reader, movieId, commentId, (await gateway.GetMeAsync(author.AccessToken)).DisplayName);

        var newName = $"Renamed {Guid.NewGuid():N}"[..20];
        using (var patch = await gateway.PatchMeAsync(author.AccessToken, new { displayName = newName }))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, patch.StatusCode);
        }

        await EventuallySignedAsync(gateway, reader, movieId, commentId, newName);
    }

    private static async Task<JsonElement> EventuallySignedAsync(HttpClient gateway, Fan reader, int movieId, long commentId, string name) =>
        await EventsDriver.EventuallyAsync(
            async () => (await gateway.GetAsync<JsonElement>(reader, $"/api/ratings/movies/{movieId}/comments"))
                .GetProperty("items").EnumerateArray().Single(c => c.GetProperty("id").GetInt64() == commentId),
            comment => comment.GetProperty("author") is { ValueKind: JsonValueKind.Object } signature
                && signature.GetProperty("displayName").GetString() == name);

    private static async Task<string> RawAsync(HttpClient gateway, Fan fan, string path)
    {
        using var response = await gateway.SendAsync(fan, HttpMethod.Get, path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }
}
