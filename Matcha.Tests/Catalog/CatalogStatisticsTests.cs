using System.Net;
using System.Text.Json;
using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Matcha.Catalog.Rankings;
using Matcha.Catalog.Search;
using Matcha.Catalog.Statistics;
using Matcha.EventBus;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Matcha.Tests.Catalog;

/// <summary>Ratings' events, through the outbox, the relay and Catalog's consumer, into a film's statistics.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public class CatalogStatisticsTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task RatingsWishesAndCommentsReachCatalogsStatisticsExactly()
    {
        using var gateway = fixture.CreateGatewayClient();
        var movieId = await fixture.AddFilmAsync();
        var (ann, bo, cy) = (await gateway.NewFanAsync(), await gateway.NewFanAsync(), await gateway.NewFanAsync());

        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(ann, movieId, 4.5));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(bo, movieId, 3.0));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(cy, movieId, 5.0));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(bo, movieId, 1.0));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.UnrateAsync(cy, movieId));
        using (var wish = await gateway.SendAsync(ann, HttpMethod.Put, $"/api/ratings/movies/{movieId}/wishlist", new { state = "wantToWatch" }))
        using (var watching = await gateway.SendAsync(bo, HttpMethod.Put, $"/api/ratings/movies/{movieId}/wishlist", new { state = "watching" }))
        using (var comment = await gateway.SendAsync(cy, HttpMethod.Post, $"/api/ratings/movies/{movieId}/comments", new { text = "Worth it." }))
        {
            Assert.Equal(HttpStatusCode.NoContent, wish.StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, watching.StatusCode);
            Assert.Equal(HttpStatusCode.Created, comment.StatusCode);
        }

        var expected = new MovieStats(2.75, 2, EventsDriver.Histogram(4.5, 1.0), Wishes: 1, Comments: 1);
        var stats = await EventsDriver.EventuallyAsync(() => gateway.StatsAsync(movieId), s => Same(expected, s));
        Assert.Equal(expected.Average, stats.Average);
        Assert.Equal(expected.Count, stats.Count);
        Assert.Equal(expected.Histogram, stats.Histogram);
        Assert.Equal((expected.Wishes, expected.Comments), (stats.Wishes, stats.Comments));
    }

    [Fact]
    public async Task TheSameEventDeliveredTwiceAtOnceCountsOnce()
    {
        using var gateway = fixture.CreateGatewayClient();
        using var redis = await fixture.RedisAsync();
        var movieId = await fixture.AddFilmAsync();
        var userId = Guid.NewGuid();
        var rated = EventsDriver.Envelope("RatingChanged", $"rating/{movieId}/{userId}", 1,
            new { movieId, userId, oldScore = (decimal?)null, newScore = 4.0m, version = 1 });

        // Two copies on the stream for Catalog's own consumer, and two more applied at the same
        // moment by a second consumer in this process, each in a transaction of its own.
        await using var secondReplica = SecondCatalogConsumer(await fixture.ConnectionStringAsync("catalogdb"));
        var subscription = secondReplica.GetRequiredService<IEventSubscription>();
        var outcomes = await Task.WhenAll(
            Task.Run(() => subscription.ApplyAsync(rated, CancellationToken.None)),
            Task.Run(() => subscription.ApplyAsync(rated, CancellationToken.None)),
            Task.Run(async () => { await redis.PublishAsync("ratings", rated); return ApplyOutcome.Duplicate; }),
            Task.Run(async () => { await redis.PublishAsync("ratings", rated); return ApplyOutcome.Duplicate; }));
        Assert.True(outcomes.Count(o => o == ApplyOutcome.Applied) <= 1);

        // A later rating of the same film is a barrier: once it shows, every copy before it was handled.
        var fan = await gateway.NewFanAsync();
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, movieId, 2.0));
        var stats = await EventsDriver.EventuallyAsync(() => gateway.StatsAsync(movieId), s => s.Count >= 2);
        Assert.Equal(2, stats.Count);
        Assert.Equal(EventsDriver.Histogram(4.0, 2.0), stats.Histogram);
        Assert.Equal(1, await fixture.QueryAsync<long>("catalogdb",
            "SELECT count(*) FROM inbox_messages WHERE subscription = 'catalog-stats' AND event_id = @p0", rated.EventId));
    }

    [Fact]
    public async Task ARatingAcceptedFromAStaleCopyOfAnUnreleasedFilmIsRejectedAndTheUserSeesWhy()
    {
        using var gateway = fixture.CreateGatewayClient();
        using var redis = await fixture.RedisAsync();
        var fan = await gateway.NewFanAsync();
        var movieId = await fixture.AddFilmAsync(DateOnly.FromDateTime(DateTime.UtcNow).AddMonths(6));
        // Ratings' copy goes stale: a newer (wrong) announcement says the film is out.
        await redis.PublishAsync("catalog", EventsDriver.Envelope("MovieChanged", $"movie/{movieId}", 1000,
            new { movieId, year = 2001, releaseDate = new DateOnly(2001, 1, 1), genres = (string[])["Drama"], peopleIds = (int[])[] }));
        var status = await EventsDriver.EventuallyAsync(() => gateway.RateAsync(fan, movieId, 4.0), s => s == HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.NoContent, status);

        var mine = await EventsDriver.EventuallyAsync(
            () => gateway.GetAsync<JsonElement>(fan, "/api/ratings/me/ratings"),
            page => page.GetProperty("items").EnumerateArray().Any(r => r.GetProperty("rejectedReason").ValueKind == JsonValueKind.String));
        var rating = Assert.Single(mine.GetProperty("items").EnumerateArray());
        Assert.Contains("not released", rating.GetProperty("rejectedReason").GetString(), StringComparison.Ordinal);
        var stats = await gateway.StatsAsync(movieId);
        Assert.Equal(0, stats.Count);
        Assert.Equal(new int[10], stats.Histogram);
    }

    [Fact]
    public async Task ARatingAcceptedFromAStaleCopyOfARemovedFilmIsRejectedNotDeadLetteredAndTheUserSeesWhy()
    {
        using var gateway = fixture.CreateGatewayClient();
        using var redis = await fixture.RedisAsync();
        var fan = await gateway.NewFanAsync();
        var admin = await gateway.AdminAsync(fixture);
        var movieId = await fixture.AddFilmAsync();
        using (var removal = await gateway.SendAsync(admin, HttpMethod.Delete, $"/api/catalog/movies/{movieId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, removal.StatusCode);
        }
        await EventsDriver.EventuallyAsync(() => gateway.RateAsync(fan, movieId, 3.0), s => s == HttpStatusCode.NotFound);
        // Ratings' copy goes stale: a newer (wrong) announcement brings the film back.
        await redis.PublishAsync("catalog", EventsDriver.Envelope("MovieChanged", $"movie/{movieId}", 1000,
            new { movieId, year = 2003, releaseDate = new DateOnly(2003, 11, 21), genres = (string[])["Drama"], peopleIds = (int[])[] }));
        var status = await EventsDriver.EventuallyAsync(() => gateway.RateAsync(fan, movieId, 4.0), s => s == HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.NoContent, status);

        var mine = await EventsDriver.EventuallyAsync(
            () => gateway.GetAsync<JsonElement>(fan, "/api/ratings/me/ratings"),
            page => page.GetProperty("items").EnumerateArray().Any(r => r.GetProperty("rejectedReason").ValueKind == JsonValueKind.String));
        var rating = Assert.Single(mine.GetProperty("items").EnumerateArray());
        Assert.Equal(movieId, rating.GetProperty("movieId").GetInt32());
        Assert.Contains("removed", rating.GetProperty("rejectedReason").GetString(), StringComparison.Ordinal);
        var deadLetters = await gateway.GetAsync<List<JsonElement>>(admin, "/api/catalog/admin/dead-letters");
        Assert.DoesNotContain(deadLetters, d => d.GetProperty("aggregateId").GetString()!.StartsWith($"rating/{movieId}/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACommentPostedThatArrivesAfterItsRemovalLeavesTheCommentCountRight()
    {
        using var gateway = fixture.CreateGatewayClient();
        using var redis = await fixture.RedisAsync();
        var movieId = await fixture.AddFilmAsync();
        var (commentId, userId, now) = (Random.Shared.NextInt64(1L << 40, 1L << 50), Guid.NewGuid(), DateTimeOffset.UtcNow);
        // A comment posted and removed at once, its CommentPosted delivered (or replayed from the dead letters) last.
        await redis.PublishAsync("ratings", EventsDriver.Envelope("CommentRemoved", $"comment/{commentId}", 2,
            new { commentId, movieId, userId, removedAt = now }));
        await redis.PublishAsync("ratings", EventsDriver.Envelope("CommentPosted", $"comment/{commentId}", 1,
            new { commentId, movieId, userId, isSpoiler = false, postedAt = now }));

        // A real comment after them is a barrier: once the count moves, both were handled (it never reads 1 otherwise).
        var fan = await gateway.NewFanAsync();
        using (var comment = await gateway.SendAsync(fan, HttpMethod.Post, $"/api/ratings/movies/{movieId}/comments", new { text = "Still here." }))
        {
            Assert.Equal(HttpStatusCode.Created, comment.StatusCode);
        }
        var stats = await EventsDriver.EventuallyAsync(() => gateway.StatsAsync(movieId), s => s.Comments != 0);
        Assert.Equal(1, stats.Comments);
    }

    [Fact]
    public async Task AWishAndItsRemovalDeliveredInReverseOrderLeaveTheWishCountRight()
    {
        using var gateway = fixture.CreateGatewayClient();
        using var redis = await fixture.RedisAsync();
        var movieId = await fixture.AddFilmAsync();
        var (userId, now) = (Guid.NewGuid(), DateTimeOffset.UtcNow);
        // A wish (v1) and its removal (v2) whose removal arrives first: the wish sat pending in a
        // Catalog replica that died and was claimed again after the other replica applied v2.
        await redis.PublishAsync("ratings", EventsDriver.Envelope("WishlistChanged", $"wishlist/{movieId}/{userId}", 2,
            new { movieId, userId, oldState = "WantToWatch", newState = (string?)null, version = 2, changedAt = now }));
        await redis.PublishAsync("ratings", EventsDriver.Envelope("WishlistChanged", $"wishlist/{movieId}/{userId}", 1,
            new { movieId, userId, oldState = (string?)null, newState = "WantToWatch", version = 1, changedAt = now }));

        // A real wish after them is a barrier: once the count moves, both were handled. Dropping the
        // older one as stale left the count at 0 (−1 + 1), counting both leaves it at 1.
        var fan = await gateway.NewFanAsync();
        Assert.Equal(HttpStatusCode.NoContent, await gateway.WishAsync(fan, movieId, "wantToWatch"));
        var stats = await EventsDriver.EventuallyAsync(() => gateway.StatsAsync(movieId), s => s.Wishes != -1 && s.Wishes != 0);
        Assert.Equal(1, stats.Wishes);
    }

    [Fact]
    public async Task AFilmsStatisticsChangeNoIndexOfTheFilmsRowAndItsSortKeysFollowInTheSameCommit()
    {
        // What an operator would check: no index on movies holds a column that Ratings' events change,
        // so a statistics update can be HOT (no new entry in any of the film's indexes, its GIN ones among them).
        Assert.Equal(0L, await fixture.QueryAsync<long>("catalogdb", """
            SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'movies'
              AND indexdef ~ '(average_rating|rating_count|histogram|popularity|wish_count|comment_count)'
            """));

        using var gateway = fixture.CreateGatewayClient();
        var movieId = await fixture.AddFilmAsync();
        var (ann, bo) = (await gateway.NewFanAsync(), await gateway.NewFanAsync());
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(ann, movieId, 4.5));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(bo, movieId, 2.0));
        Assert.Equal(HttpStatusCode.NoContent, await gateway.WishAsync(bo, movieId, "wantToWatch"));
        await EventsDriver.EventuallyAsync(() => gateway.StatsAsync(movieId), s => s.Count == 2 && s.Wishes == 1);

        // The sort keys the browse, rate-to-start and search orders walk are the film's own figures.
        var keys = await fixture.QueryAsync<string>("catalogdb", """
            SELECT format('%s %s %s %s %s', k.rating_count, k.average_rating, k.popularity, k.prior_votes, k.year)
            FROM movie_sort_keys k WHERE k.movie_id = @p0
            """, movieId);
        var film = await fixture.QueryAsync<string>("catalogdb", """
            SELECT format('%s %s %s %s %s', m.rating_count, m.average_rating, m.popularity, m.prior_votes, m.year)
            FROM movies m WHERE m.id = @p0
            """, movieId);
        Assert.Equal(film, keys);
        Assert.StartsWith("2 3.25 4 ", keys, StringComparison.Ordinal);   // two ratings, (4.5 + 2.0) / 2, 2 + 2 × 1 wish
    }

    private static bool Same(MovieStats expected, MovieStats actual) =>
        expected.Average == actual.Average && expected.Count == actual.Count && expected.Histogram.SequenceEqual(actual.Histogram)
        && expected.Wishes == actual.Wishes && expected.Comments == actual.Comments;

    /// <summary>Catalog's statistics subscription, assembled as Catalog assembles it, against catalogdb.</summary>
    private static ServiceProvider SecondCatalogConsumer(string connectionString)
    {
        var services = new ServiceCollection();
        services.AddDbContext<CatalogDbContext>(options => options.UseNpgsql(connectionString).UseSnakeCaseNamingConvention());
        services.AddSingleton(TimeProvider.System);
        services.AddHybridCache();
        services.AddSingleton<StatisticsChanges>();
        // No standby: nothing is fenced (Catalog's own assembly gives it one only with catalogdb-replica).
        services.AddSingleton(sp => new CatalogStandby(null, sp, new CatalogStandbyOptions(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<CatalogStandby>.Instance));
        services.AddSingleton<SearchIndexWrites>();
        services.AddOptions<CardCacheOptions>();
        services.AddSingleton<CardCache>();
        services.AddScoped<MovieStatisticsApplier>();
        services.AddSingleton<IEventSubscription>(sp => new EventSubscription<CatalogDbContext, MovieStatisticsApplier>(
            MovieStatisticsApplier.Subscription, MovieStatisticsApplier.Topic, sp.GetRequiredService<IServiceScopeFactory>(),
            Options.Create(new EventBusOptions())));
        return services.BuildServiceProvider();
    }
}
