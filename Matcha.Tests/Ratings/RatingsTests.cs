using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using StackExchange.Redis;

namespace Matcha.Tests.Ratings;

/// <summary>Ratings' public paths through the gateway, on films added to Catalog.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class RatingsTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task AFilmAddedToCatalogBecomesRateableAndEachChangeIsPublishedInOrder()
    {
        using var gateway = fixture.CreateGatewayClient();
        using var redis = await fixture.RedisAsync();
        var fan = await gateway.NewFanAsync();

        Assert.Equal(HttpStatusCode.NotFound, await gateway.RateAsync(fan, EventsDriver.FreshMovieId(), 4.5));
        var movieId = await fixture.AddFilmAsync();
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, movieId, 4.5));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, movieId, 3.0));

        var published = await EventsDriver.EventuallyAsync(
            async () => (await redis.GetDatabase().StreamRangeAsync("matcha:events:ratings", messageOrder: Order.Descending, count: 2000))
                .Select(e => JsonDocument.Parse(e["envelope"].ToString()).RootElement)
                .Where(e => e.GetProperty("aggregateId").GetString() == $"rating/{movieId}/{fan.Id}")
                .Reverse()
                .ToList(),
            events => events.Count == 2);
        Assert.Equal([1L, 2L], published.Select(e => e.GetProperty("aggregateVersion").GetInt64()));
        var change = published[1].GetProperty("payload");
        Assert.Equal(4.5m, change.GetProperty("oldScore").GetDecimal());
        Assert.Equal(3.0m, change.GetProperty("newScore").GetDecimal());

        var mine = await gateway.GetAsync<JsonElement>(fan, "/api/ratings/me/ratings");
        var only = Assert.Single(mine.GetProperty("items").EnumerateArray());
        Assert.Equal(3.0m, only.GetProperty("score").GetDecimal());
    }

    [Theory]
    [InlineData("""{"score":0}""")]
    [InlineData("""{"score":0.3}""")]
    [InlineData("""{"score":5.5}""")]
    [InlineData("""{"score":"NaN"}""")]
    [InlineData("""{"score":"four"}""")]
    public async Task AnInvalidScoreIsABadRequestNamingScoreAndChangesNothing(string body)
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        var movieId = await fixture.AddFilmAsync(new DateOnly(2001, 1, 1));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, movieId, 2.5));

        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await gateway.SendAsync(fan, HttpMethod.Put, $"/api/ratings/movies/{movieId}/rating", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["score"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        var mine = await gateway.GetAsync<JsonElement>(fan, "/api/ratings/me/ratings");
        Assert.Equal(2.5m, Assert.Single(mine.GetProperty("items").EnumerateArray()).GetProperty("score").GetDecimal());
    }

    [Fact]
    public async Task AnUnreleasedFilmCannotBeRatedButCanBeWishedFor()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        var movieId = await fixture.AddFilmAsync(DateOnly.FromDateTime(DateTime.UtcNow).AddYears(1));

        using var rating = await gateway.SendAsync(fan, HttpMethod.Put, $"/api/ratings/movies/{movieId}/rating", new { score = 4 });
        Assert.Equal(HttpStatusCode.Conflict, rating.StatusCode);
        Assert.Contains("released", (await rating.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var wish = await gateway.SendAsync(fan, HttpMethod.Put, $"/api/ratings/movies/{movieId}/wishlist", new { state = "wantToWatch" });
        Assert.Equal(HttpStatusCode.NoContent, wish.StatusCode);
        var wishlist = await gateway.GetAsync<JsonElement>(fan, "/api/ratings/me/wishlist");
        var entry = Assert.Single(wishlist.GetProperty("items").EnumerateArray());
        Assert.Equal("wantToWatch", entry.GetProperty("state").GetString());
    }

    [Fact]
    public async Task CommentsAreOnePerUserEditableOnlyByTheirAuthorAndHideSpoilers()
    {
        using var gateway = fixture.CreateGatewayClient();
        var author = await gateway.NewFanAsync();
        var reader = await gateway.NewFanAsync();
        var movieId = await fixture.AddFilmAsync(new DateOnly(2010, 7, 16));
        var path = $"/api/ratings/movies/{movieId}/comments";

        using var posted = await gateway.SendAsync(author, HttpMethod.Post, path, new { text = "The top keeps spinning.", isSpoiler = true });
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        var commentId = (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        using var second = await gateway.SendAsync(author, HttpMethod.Post, path, new { text = "Again" });
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        using var tooLong = await gateway.SendAsync(reader, HttpMethod.Post, path, new { text = new string('a', 2001) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);

        using var othersEdit = await gateway.SendAsync(reader, HttpMethod.Put, $"/api/ratings/comments/{commentId}", new { text = "vandalised" });
        Assert.Equal(HttpStatusCode.NotFound, othersEdit.StatusCode);
        using var othersDelete = await gateway.SendAsync(reader, HttpMethod.Delete, $"/api/ratings/comments/{commentId}");
        Assert.Equal(HttpStatusCode.NotFound, othersDelete.StatusCode);
        using var ownLike = await gateway.SendAsync(author, HttpMethod.Put, $"/api/ratings/comments/{commentId}/like");
        Assert.Equal(HttpStatusCode.Forbidden, ownLike.StatusCode);
        for (var i = 0; i < 2; i++)
        {
            using var like = await gateway.SendAsync(reader, HttpMethod.Put, $"/api/ratings/comments/{commentId}/like");
            Assert.Equal(HttpStatusCode.NoContent, like.StatusCode);
        }

        var hidden = Assert.Single((await gateway.GetAsync<JsonElement>(reader, path)).GetProperty("items").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, hidden.GetProperty("text").ValueKind);
        Assert.Equal(1, hidden.GetProperty("likeCount").GetInt32());
        var shown = Assert.Single((await gateway.GetAsync<JsonElement>(reader, path + "?includeSpoilers=true&sort=likes")).GetProperty("items").EnumerateArray());
        Assert.Equal("The top keeps spinning.", shown.GetProperty("text").GetString());

        using var deleted = await gateway.SendAsync(author, HttpMethod.Delete, $"/api/ratings/comments/{commentId}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty((await gateway.GetAsync<JsonElement>(reader, path)).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task MyOverviewGivesTheFirstPageOfEachOfMyListsAndMyTasteExactlyAsTheirOwnEndpointsDo()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        var films = new List<TestFilm>();
        for (var i = 0; i < 3; i++)
        {
            films.Add(await fixture.AddKoreanFilmAsync());
        }
        double[] scores = [4.5, 2.0, 3.5];
        for (var i = 0; i < films.Count; i++)
        {
            Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, films[i].Id, scores[i]));
            Assert.Equal(HttpStatusCode.NoContent, await gateway.WishAsync(fan, films[i].Id, i == 1 ? "watching" : "wantToWatch"));
        }
        await gateway.CommentAsync(fan, films[0].Id, "Slow, then all at once.");
        await gateway.ExpectAsync(fan, HttpMethod.Post, $"/api/ratings/movies/{films[1].Id}/comments", new { text = "The twins were one.", isSpoiler = true }, HttpStatusCode.Created);
        await gateway.CommentAsync(fan, films[2].Id, "Too long by an hour.");
        // The comments carry their author once Accounts' announcement of the new member has reached Ratings.
        await EventsDriver.EventuallyAsync(
            () => gateway.GetAsync<JsonElement>(fan, "/api/ratings/me/comments"),
            comments => comments.GetProperty("items")[0].GetProperty("author").ValueKind == JsonValueKind.Object);

        var overview = await gateway.GetAsync<JsonElement>(fan, "/api/ratings/me/overview?rows=2");

        // Two rows of three: each page has two and a cursor, as the list's own endpoint gives them.
        foreach (var (part, path) in new[] { ("ratings", "me/ratings"), ("wishlist", "me/wishlist"), ("comments", "me/comments") })
        {
            var page = overview.GetProperty(part);
            Assert.Equal(2, page.GetProperty("items").GetArrayLength());
            Assert.Equal(JsonValueKind.String, page.GetProperty("nextCursor").ValueKind);
            var own = await gateway.GetAsync<JsonElement>(fan, $"/api/ratings/{path}?pageSize=2");
            Assert.Equal(own.GetRawText(), page.GetRawText());
        }
        Assert.Equal(
            [films[2].Id, films[1].Id],
            overview.GetProperty("ratings").GetProperty("items").EnumerateArray().Select(r => r.GetProperty("movieId").GetInt32()));
        // The taste as its own endpoint gives it, but for everyone's average, which other tests' ratings move meanwhile.
        var taste = JsonNode.Parse((await gateway.GetAsync<JsonElement>(fan, "/api/ratings/me/taste")).GetRawText())!.AsObject();
        var overviewsTaste = JsonNode.Parse(overview.GetProperty("taste").GetRawText())!.AsObject();
        Assert.True(taste.Remove("everyonesAverage") && overviewsTaste.Remove("everyonesAverage"));
        Assert.Equal(taste.ToJsonString(), overviewsTaste.ToJsonString());
        Assert.Equal(3, (int)taste["ratingCount"]!);
    }
}
