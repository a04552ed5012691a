using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Matcha.Tests.Support;

/// <summary>A user about to delete their account, with everything a user can leave behind, and a neighbour who stays.</summary>
public sealed record Leaver(
    SignedUpUser Account, Tokens Tokens, Fan Fan, Fan Neighbour, int[] Films, long OwnCommentId, long NeighboursCommentId, Guid OwnCollectionId, Guid NeighboursCollectionId);

/// <summary>Account deletion through the gateway, and the checks an operator would make afterwards.</summary>
public static class DeletionDriver
{
    public static readonly TimeSpan SagaPatience = TimeSpan.FromSeconds(90);

    /// <summary>
    /// A fresh user who rated two films, wishes for one, marked one not seen, commented on both, liked the
    /// neighbour's comment and whose comment the neighbour liked, who follows the neighbour
    /// and is followed back, who keeps a public collection the neighbour likes and likes the neighbour's, and
    /// who has just renamed themselves; the neighbour rated and wished too.
    /// </summary>
    public static async Task<Leaver> LeaverWithEverythingAsync(this HttpClient gateway, MatchaAppFixture fixture)
    {
        var account = await gateway.SignUpAsync();
        var tokens = await gateway.LoginAsync(account);
        var fan = new Fan((await gateway.GetMeAsync(tokens.AccessToken)).Id, tokens.AccessToken);
        var neighbour = await gateway.NewFanAsync();
        int[] films = [await fixture.AddFilmAsync(), await fixture.AddFilmAsync()];

        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, films[0], 4.5));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, films[1], 1.0));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(neighbour, films[0], 3.0));
        await gateway.ExpectAsync(fan, HttpMethod.Put, $"/api/ratings/movies/{films[1]}/wishlist", new { state = "wantToWatch" }, HttpStatusCode.NoContent);
        await gateway.ExpectAsync(neighbour, HttpMethod.Put, $"/api/ratings/movies/{films[1]}/wishlist", new { state = "wantToWatch" }, HttpStatusCode.NoContent);
        // Rate to start: a film the leaver has not seen.
        await gateway.ExpectAsync(fan, HttpMethod.Put, $"/api/ratings/movies/{films[0]}/unseen", null, HttpStatusCode.NoContent);
        var ownComment = await gateway.CommentAsync(fan, films[0], "Leaving soon, but this one was great.");
        await gateway.CommentAsync(fan, films[1], "Not for me.");
        var neighboursComment = await gateway.CommentAsync(neighbour, films[0], "Agreed, mostly.");
        await gateway.ExpectAsync(fan, HttpMethod.Put, $"/api/ratings/comments/{neighboursComment}/like", null, HttpStatusCode.NoContent);
        await gateway.ExpectAsync(neighbour, HttpMethod.Put, $"/api/ratings/comments/{ownComment}/like", null, HttpStatusCode.NoContent);
        // Social: they follow each other.
        var neighbourHandle = (await gateway.SocialProfileAsync(neighbour)).Handle;
        await gateway.FollowAsync(fan, neighbourHandle);
        await gateway.FollowAsync(neighbour, (await gateway.SocialProfileAsync(fan)).Handle);
        // Collections: the leaver's own (public, so a film in it reaches the neighbour's feed), liked by the
        // neighbour, and the neighbour's, liked by the leaver.
        var own = await gateway.CreateCollectionAsync(fan, "Before I go", "Names no one.");
        await gateway.AddToCollectionAsync(fan, own.Id, films[0]);
        await gateway.LikeCollectionAsync(neighbour, own.Id);
        var neighbours = await gateway.CreateCollectionAsync(neighbour, "Staying");
        await gateway.AddToCollectionAsync(neighbour, neighbours.Id, films[0]);
        await gateway.LikeCollectionAsync(fan, neighbours.Id);
        // A private profile: Social's flag and Ratings' copy of it name the user too.
        await gateway.SetPrivateAsync(fan, true);

        // Catalog has counted all of it before the deletion starts.
        var stats = await EventsDriver.EventuallyAsync(() => gateway.StatsAsync(films[0]), s => s.Count == 2 && s.Comments == 2);
        Assert.Equal(2, stats.Count);
        // A last rename, whose announcement may still be on its way to Ratings and Social when
        // the deletion starts: their steps must wait for it, or it would bring the name back.
        using (var rename = await gateway.PatchMeAsync(tokens.AccessToken, new { displayName = "Leaving Soon" }))
        {
            Assert.Equal(HttpStatusCode.OK, rename.StatusCode);
        }
        return new Leaver(account, tokens, fan, neighbour, films, ownComment, neighboursComment, own.Id, neighbours.Id);
    }

    public static async Task<long> CommentAsync(this HttpClient gateway, Fan fan, int movieId, string text)
    {
        using var posted = await gateway.SendAsync(fan, HttpMethod.Post, $"/api/ratings/movies/{movieId}/comments", new { text });
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        return (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    public static async Task ExpectAsync(this HttpClient gateway, Fan fan, HttpMethod method, string path, object? body, HttpStatusCode expected)
    {
        using var response = await gateway.SendAsync(fan, method, path, body);
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>An access token exactly like Accounts issues, signed with its key, but for a sign-in at <paramref name="signedInAt"/>.</summary>
    public static async Task<string> AccessTokenSignedInAtAsync(this MatchaAppFixture fixture, Guid userId, DateTimeOffset signedInAt)
    {
        var now = DateTime.UtcNow;
        return TestTokens.Mint(await fixture.AccountsSigningKeyAsync(), userId.ToString(),
            TestTokens.AccountsIssuer, TestTokens.GatewayAudience, TestTokens.AccessTokenType, now, now.AddMinutes(5),
            new Dictionary<string, object>
            {
                ["jti"] = Guid.NewGuid().ToString("N"),
                ["name"] = "Film Fan",
                ["role"] = Array.Empty<string>(),
                ["auth_time"] = signedInAt.ToUnixTimeSeconds(),
            });
    }

    /// <summary>DELETE /api/accounts/me; the body carries the password when given.</summary>
    public static Task<HttpResponseMessage> DeleteAccountAsync(this HttpClient gateway, Fan fan, string? password = null, string? traceParent = null) =>
        gateway.SendAsync(fan, HttpMethod.Delete, "/api/accounts/me", password is null ? null : new { password }, traceParent);

    /// <summary>Deletes the account and returns the status URL from the 202's Location.</summary>
    public static async Task<string> StartDeletionAsync(this HttpClient gateway, Fan fan, string? traceParent = null)
    {
        using var response = await gateway.DeleteAccountAsync(fan, traceParent: traceParent);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"DELETE /me: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response.Headers.Location!.OriginalString;
    }

    /// <summary>The state the public status URL shows, read anonymously as the deleted user would.</summary>
    public static async Task<string> DeletionStateAsync(this HttpClient gateway, string statusUrl)
    {
        using var response = await gateway.GetAsync(statusUrl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString()!;
    }

    public static async Task<string> WaitUntilCompletedAsync(this HttpClient gateway, string statusUrl) =>
        await EventsDriver.EventuallyAsync(() => gateway.DeletionStateAsync(statusUrl), s => s == "completed", SagaPatience);

    /// <summary>
    /// Every row, in every table of every database, whose text mentions the user id, as
    /// "database.table" → count. Accounts' record of the deletion and the tombstones (Accounts'
    /// deleted_accounts, and each service's erased_users, which refuse the user's late writes)
    /// are the only rows allowed to keep the id, and are left out.
    /// </summary>
    public static async Task<Dictionary<string, long>> RowsMentioningAsync(this MatchaAppFixture fixture, Guid userId)
    {
        var found = new Dictionary<string, long>();
        foreach (var database in new[] { "accountsdb", "ratingsdb", "catalogdb", "socialdb" })
        {
            await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync(database));
            await connection.OpenAsync();
            var tables = new List<string>();
            await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", connection))
            await using (var reader = await list.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    tables.Add(reader.GetString(0));
                }
            }
            foreach (var table in tables.Where(t => !(database == "accountsdb" && t is "account_deletions" or "deleted_accounts") && t != "erased_users"))
            {
                await using var count = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\" t WHERE t::text LIKE @pattern", connection);
                count.Parameters.AddWithValue("pattern", $"%{userId}%");
                if ((long)(await count.ExecuteScalarAsync())! is var n and > 0)
                {
                    found[$"{database}.{table}"] = n;
                }
            }
        }
        return found;
    }

    /// <summary>A film's statistics as Catalog stores them, and as they follow from what ratingsdb holds now.</summary>
    public static async Task<(string Catalog, string FromRatings)> StatisticsAsync(this MatchaAppFixture fixture, int movieId)
    {
        var catalog = await fixture.QueryAsync<string>("catalogdb",
            "SELECT rating_count || ' ' || histogram::text || ' ' || wish_count || ' ' || comment_count FROM movies WHERE id = @p0", movieId);
        var fromRatings = await fixture.QueryAsync<string>("ratingsdb", """
            SELECT (SELECT count(*) FROM ratings WHERE movie_id = @p0 AND score IS NOT NULL AND rejected_reason IS NULL)
                || ' {' || (SELECT string_agg((SELECT count(*) FROM ratings WHERE movie_id = @p0 AND rejected_reason IS NULL AND score = b * 0.5)::text, ',' ORDER BY b)
                            FROM generate_series(1, 10) AS b) || '} '
                || (SELECT count(*) FROM wishlist_entries WHERE movie_id = @p0 AND state = 'WantToWatch')
                || ' ' || (SELECT count(*) FROM comments WHERE movie_id = @p0)
            """, movieId);
        return (catalog!, fromRatings!);
    }

    /// <summary>What every deletion test checks at the end: nothing of the user anywhere, Catalog agrees with Ratings, the neighbour sees no trace.</summary>
    public static async Task AssertErasedEverywhereAsync(this MatchaAppFixture fixture, HttpClient gateway, Leaver leaver)
    {
        Assert.Empty(await fixture.RowsMentioningAsync(leaver.Fan.Id));
        Assert.Equal(1, await fixture.QueryAsync<long>("accountsdb", "SELECT count(*) FROM deleted_accounts WHERE id = @p0", leaver.Fan.Id));

        foreach (var film in leaver.Films)
        {
            var (catalog, fromRatings) = await fixture.StatisticsAsync(film);
            Assert.Equal(fromRatings, catalog);
        }
        // Exactly once: the neighbour's rating and wish are all that is left.
        Assert.Equal("1 {0,0,0,0,0,1,0,0,0,0} 0 1", (await fixture.StatisticsAsync(leaver.Films[0])).Catalog);
        Assert.Equal("0 {0,0,0,0,0,0,0,0,0,0} 1 0", (await fixture.StatisticsAsync(leaver.Films[1])).Catalog);

        var comments = await gateway.GetAsync<JsonElement>(leaver.Neighbour, $"/api/ratings/movies/{leaver.Films[0]}/comments");
        var remaining = Assert.Single(comments.GetProperty("items").EnumerateArray());
        Assert.Equal(leaver.NeighboursCommentId, remaining.GetProperty("id").GetInt64());
        Assert.Equal(0, remaining.GetProperty("likeCount").GetInt32());
        Assert.Empty((await gateway.GetAsync<JsonElement>(leaver.Neighbour, $"/api/ratings/movies/{leaver.Films[1]}/comments")).GetProperty("items").EnumerateArray());

        // Neither follow survives, on either side.
        var neighbour = await gateway.SocialProfileAsync(leaver.Neighbour);
        Assert.Equal((0, 0), (neighbour.Followers, neighbour.Following));

        // The leaver's collection is gone with its like; the neighbour's kept its film and lost the leaver's like.
        using (var gone = await gateway.SendAsync(leaver.Neighbour, HttpMethod.Get, $"/api/social/collections/{leaver.OwnCollectionId}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }
        var kept = await gateway.CollectionAsync(leaver.Neighbour, leaver.NeighboursCollectionId);
        Assert.Equal(0, kept.Likes);
        Assert.Equal([leaver.Films[0]], kept.Films);
    }
}
