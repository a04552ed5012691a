using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matcha.Catalog.Rankings;
using Matcha.Catalog.Statistics;
using Matcha.EventBus;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Matcha.Tests.Backbone;

/// <summary>
/// Two processes of every service and of the gateway (<c>./eng/run.sh --replicas 2</c>). Signed-in
/// users rate, wish and comment through the gateway while one replica of each is killed with
/// SIGKILL and started again: afterwards every acknowledged write is in ratingsdb, Catalog's
/// statistics, the rankings in Redis and the film pages equal what ratingsdb says (so no event
/// counted twice), and the users' sessions still work.
/// </summary>
[Collection(MatchaReplicasAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "AppHostVariant")]
public class ReplicasTests(MatchaReplicasAppFixture fixture, ITestOutputHelper output)
{
    private const int Fans = 12;
    private const int Films = 5;
    private const int MinimumAcknowledged = 800;
    private const string WantToWatch = "WantToWatch";
    private static readonly RankingsOptions Rankings = new();

    private sealed record Attempt(string? Value, bool Acknowledged);

    private sealed record Member(Guid Id, string AccessToken, string RefreshToken)
    {
        public Fan Fan => new(Id, AccessToken);
    }

    [Fact]
    public async Task KillingOneReplicaOfEachServiceUnderLoadLosesNothingAndCountsNothingTwice()
    {
        var replicas = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var service in MatchaReplicasAppFixture.Services)
        {
            replicas[service] = await fixture.HealthyReplicasAsync(service, MatchaReplicasAppFixture.Replicas);
        }
        using var gateway = fixture.CreateGatewayClient();
        gateway.Timeout = TimeSpan.FromSeconds(20);
        var members = new List<Member>();
        for (var i = 0; i < Fans; i++)
        {
            var (tokens, id) = await gateway.SignUpAndLoginAsync();
            members.Add(new Member(id, tokens.AccessToken, tokens.RefreshToken));
        }
        var films = new List<int>();
        for (var i = 0; i < Films; i++)
        {
            films.Add(await fixture.AddFilmAsync());
        }

        // What each user asked for, per film and kind ("rating": a score or null, "wish": WantToWatch or null), and whether it was acknowledged.
        var history = new ConcurrentDictionary<(Guid Fan, int Film, string Kind), List<Attempt>>();
        var comments = new ConcurrentBag<long>();
        var commented = new ConcurrentDictionary<(Guid Fan, int Film), bool>();
        var acknowledged = 0;
        var failed = 0;
        var chaosDone = false;
        var chaos = Task.Run(async () =>
        {
            try
            {
                foreach (var service in MatchaReplicasAppFixture.Services)
                {
                    await Task.Delay(TimeSpan.FromSeconds(2));
                    await fixture.KillAsync(replicas[service][0]);
                    await fixture.StartAgainAsync(replicas[service][0]);
                }
            }
            finally
            {
                Volatile.Write(ref chaosDone, true);
            }
        });

        var writers = members.Select((member, index) => Task.Run(async () =>
        {
            var random = new Random(index);
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(6);
            while ((!Volatile.Read(ref chaosDone) || Volatile.Read(ref acknowledged) < MinimumAcknowledged) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
                var film = films[random.Next(films.Count)];
                var ok = false;
                // What this request asks for, recorded whatever its answer (or none) was.
                (string Kind, string? Value)? asked = null;
                try
                {
                    switch (random.Next(10))
                    {
                        case < 6:
                            decimal? score = random.Next(5) == 0 ? null : random.Next(1, 11) * 0.5m;
                            asked = ("rating", score?.ToString(CultureInfo.InvariantCulture));
                            var rated = score is { } s ? await gateway.RateAsync(member.Fan, film, (double)s) : await gateway.UnrateAsync(member.Fan, film);
                            ok = rated == HttpStatusCode.NoContent;
                            break;
                        case < 9:
                            var wish = random.Next(2) == 0;
                            asked = ("wish", wish ? WantToWatch : null);
                            using (var wished = await gateway.SendAsync(member.Fan, wish ? HttpMethod.Put : HttpMethod.Delete,
                                $"/api/ratings/movies/{film}/wishlist", wish ? new { state = "wantToWatch" } : null))
                            {
                                ok = wished.IsSuccessStatusCode;
                            }
                            break;
                        default:
                            if (!commented.TryAdd((member.Id, film), false))
                            {
                                continue;   // one comment per film: this user has one here already
                            }
                            using (var posted = await gateway.SendAsync(member.Fan, HttpMethod.Post,
                                $"/api/ratings/movies/{film}/comments", new { text = "Better the second time.", isSpoiler = false }))
                            {
                                ok = posted.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict;
                                if (posted.StatusCode == HttpStatusCode.Created)
                                {
                                    comments.Add((await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
                                }
                            }
                            if (!ok)
                            {
                                commented.TryRemove((member.Id, film), out _);
                            }
                            break;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                }
                if (asked is { } request)
                {
                    history.GetOrAdd((member.Id, film, request.Kind), _ => []).Add(new Attempt(request.Value, ok));
                }
                if (ok)
                {
                    Interlocked.Increment(ref acknowledged);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                    await Task.Delay(500);
                }
            }
        })).ToList();
        await Task.WhenAll([chaos, .. writers]);
        output.WriteLine($"{acknowledged + failed} writes: {acknowledged} acknowledged, {failed} refused or lost while a replica died; {comments.Count} comments posted.");
        Assert.True(acknowledged >= MinimumAcknowledged, $"Only {acknowledged} writes were acknowledged.");

        // Every acknowledged write is in ratingsdb: the stored value is the last acknowledged one,
        // or a later attempt whose answer was lost (it may have committed before its process died).
        // A request whose answer was lost may also commit late, after a later one was acknowledged:
        // a gateway killed after it forwarded the request, which Ratings still carries out. Its value,
        // then, but never one no request asked for.
        var stored = await StoredAsync(films);
        var late = 0;
        foreach (var ((fanId, film, kind), attempts) in history)
        {
            var lastAcknowledged = attempts.FindLastIndex(a => a.Acknowledged);
            var possible = attempts.Skip(Math.Max(lastAcknowledged, 0)).Select(a => a.Value).ToHashSet();
            if (lastAcknowledged < 0)
            {
                possible.Add(null);
            }
            var value = stored.GetValueOrDefault((fanId, film, kind));
            if (!possible.Contains(value))
            {
                var unanswered = attempts.Take(lastAcknowledged).Where(a => !a.Acknowledged).Select(a => a.Value).ToList();
                Assert.True(unanswered.Contains(value),
                    $"{kind} of film {film} by {fanId}: ratingsdb has {value ?? "none"}; asked {string.Join(", ", attempts.Select(a => $"{a.Value ?? "none"}{(a.Acknowledged ? "" : " (no answer)")}"))}");
                late++;
            }
        }
        output.WriteLine($"{history.Count} (user, film, kind) histories checked; {late} ended with an unanswered request that committed after a later acknowledged one.");
        var storedComments = await CommentsAsync(films);
        Assert.All(comments, id => Assert.Contains(id, storedComments.Keys));

        // Catalog's statistics equal what ratingsdb says: each event counted once, none lost.
        var expected = films.ToDictionary(film => film, film => new Figures(
            EventsDriver.Histogram([.. stored.Where(s => s.Key.Film == film && s.Key.Kind == "rating").Select(s => double.Parse(s.Value!, CultureInfo.InvariantCulture))]),
            stored.Count(s => s.Key.Film == film && s.Key.Kind == "wish" && s.Value == WantToWatch),
            storedComments.Count(c => c.Value == film)));
        var counted = await EventsDriver.EventuallyAsync(() => CatalogFiguresAsync(films),
            figures => films.All(film => figures[film] == expected[film]), TimeSpan.FromSeconds(120));
        foreach (var film in films)
        {
            output.WriteLine($"film {film}: ratingsdb {expected[film]}, catalogdb {counted[film]}");
            Assert.Equal(expected[film], counted[film]);
        }

        // The rankings in Redis, and the film pages every gateway and Catalog replica serves, converge to catalogdb.
        using var redis = await fixture.RedisAsync();
        var standings = await EventsDriver.EventuallyAsync(() => RankingsMismatchesAsync(redis, films), m => m.Count == 0, TimeSpan.FromSeconds(60));
        Assert.Empty(standings);
        foreach (var film in films)
        {
            // Another Catalog replica may hold the page in its own memory for up to a minute (LocalCacheExpiration).
            var pages = await EventsDriver.EventuallyAsync(
                async () => await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => gateway.StatsAsync(film))),
                all => all.All(p => new Figures(p.Histogram, p.Wishes, p.Comments) == expected[film]), TimeSpan.FromSeconds(120));
            Assert.All(pages, page => Assert.Equal(expected[film], new Figures(page.Histogram, page.Wishes, page.Comments)));
        }

        // The sessions survived every kill: the access tokens still open the account, the refresh tokens still renew.
        foreach (var member in members)
        {
            Assert.Equal(HttpStatusCode.OK, await gateway.MeStatusAsync(member.AccessToken));
            using var renewed = await gateway.RefreshAsync(member.RefreshToken);
            Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
        }
    }

    /// <summary>
    /// Catalog's replicas are one consumer group on the ratings stream: whichever asks first is
    /// served, so at this rate one of them may take every entry while the other waits. Freezing
    /// each in turn (SIGSTOP, a hung process) while users rate shows the other one reading the
    /// stream — Redis names a consumer in the group once it has been served an entry — and the
    /// statistics afterwards equal ratingsdb's: nothing lost while a replica hung, nothing counted
    /// twice by the two of them.
    /// </summary>
    [Fact]
    public async Task EachCatalogReplicaReadsTheRatingsStreamWhileTheOtherHangsAndEveryRatingCountsOnce()
    {
        var catalogs = await fixture.HealthyReplicasAsync("catalog", MatchaReplicasAppFixture.Replicas);
        using var gateway = fixture.CreateGatewayClient();
        var fans = new List<Fan>();
        for (var i = 0; i < 4; i++)
        {
            var (tokens, id) = await gateway.SignUpAndLoginAsync();
            fans.Add(new Fan(id, tokens.AccessToken));
        }
        var films = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            films.Add(await fixture.AddFilmAsync());
        }

        // A rating counts for the replica that hung when it was sent: on a busy machine its answer may come after the thaw.
        var frozenNow = "";
        var acknowledgedWhileFrozen = new ConcurrentDictionary<string, int>();
        using var stop = new CancellationTokenSource();
        var writers = fans.Select((fan, index) => Task.Run(async () =>
        {
            var random = new Random(index);
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(50);
                var score = random.Next(1, 11) * 0.5;
                var sentWhileFrozen = Volatile.Read(ref frozenNow);
                if (await gateway.RateAsync(fan, films[random.Next(films.Count)], score) == HttpStatusCode.NoContent)
                {
                    acknowledgedWhileFrozen.AddOrUpdate(sentWhileFrozen, 1, (_, n) => n + 1);
                }
            }
        })).ToList();

        // Each replica hangs for a while in turn; the other one must take the ratings meanwhile.
        var pids = new Dictionary<string, IReadOnlyList<int>>();
        foreach (var catalog in catalogs)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            var frozen = await fixture.FreezeAsync(catalog);
            pids[catalog] = frozen;
            Volatile.Write(ref frozenNow, catalog);
            await Task.Delay(TimeSpan.FromSeconds(5));
            Volatile.Write(ref frozenNow, "");
            await ServiceProcesses.ThawAsync(frozen);
        }
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        output.WriteLine($"Ratings acknowledged: {string.Join(", ", acknowledgedWhileFrozen.Select(a => $"{(a.Key.Length == 0 ? "none frozen" : a.Key + " frozen")} {a.Value}"))}");
        Assert.All(catalogs, catalog => Assert.True(acknowledgedWhileFrozen.GetValueOrDefault(catalog) > 0, $"No rating sent while {catalog} hung was acknowledged."));

        using var redis = await fixture.RedisAsync();
        var consumers = (await redis.GetDatabase().StreamConsumerInfoAsync(
            new EventBusOptions().StreamPrefix + MovieStatisticsApplier.Topic, MovieStatisticsApplier.Subscription))
            .Select(c => c.Name.ToString()).ToList();
        output.WriteLine($"Consumers of {MovieStatisticsApplier.Subscription}: {string.Join(", ", consumers)}");
        foreach (var (catalog, processes) in pids)
        {
            // A consumer is named <host>-<pid>.
            Assert.True(consumers.Any(name => processes.Any(pid => name.EndsWith($"-{pid}", StringComparison.Ordinal))),
                $"{catalog} (processes {string.Join(", ", processes)}) never read the ratings stream; consumers: {string.Join(", ", consumers)}");
        }

        var stored = await StoredAsync(films);
        var expected = films.ToDictionary(film => film, film => new Figures(
            EventsDriver.Histogram([.. stored.Where(s => s.Key.Film == film && s.Key.Kind == "rating").Select(s => double.Parse(s.Value!, CultureInfo.InvariantCulture))]), 0, 0));
        var counted = await EventsDriver.EventuallyAsync(() => CatalogFiguresAsync(films),
            figures => films.All(film => figures[film] == expected[film]), TimeSpan.FromSeconds(120));
        Assert.All(films, film => Assert.Equal(expected[film], counted[film]));
    }

    [Fact]
    public async Task TwoCatalogsRefreshingOneFilmAtOnceLeaveTheNewerStandingInTheRankings()
    {
        var film = await fixture.AddFilmAsync();
        var catalogDb = await fixture.ConnectionStringAsync("catalogdb");
        var direct = new NpgsqlConnectionStringBuilder(catalogDb);
        await using var held = new HeldReplies(direct.Host!, direct.Port);
        // One connection, never reset on return to the pool: what the relay holds is the reply to the standings' query.
        var relayed = new NpgsqlConnectionStringBuilder(catalogDb) { Host = "127.0.0.1", Port = held.Port, MaxPoolSize = 1, NoResetOnClose = true };
        await using var quickDb = NpgsqlDataSource.Create(catalogDb);
        await using var slowDb = NpgsqlDataSource.Create(relayed.ConnectionString);
        using var redis = await fixture.RedisAsync();
        var options = Options.Create(new RankingsOptions());
        using var quick = new MovieRankings(redis, quickDb, options, TimeProvider.System);
        using var slow = new MovieRankings(redis, slowDb, options, TimeProvider.System);

        await SetWishCountAsync(film, 3);
        await slow.RefreshAsync([film], CancellationToken.None);
        Assert.Equal(3, await MostWishedScoreAsync(redis, film));

        // One Catalog reads the film's standing (3 wishes); before its write lands, the film gets
        // 7 wishes and the other Catalog writes that. The first one's write comes last.
        held.Hold();
        var late = slow.RefreshAsync([film], CancellationToken.None);
        await held.ReplyWaitingAsync().WaitAsync(EventsDriver.Patience);
        await SetWishCountAsync(film, 7);
        await quick.RefreshAsync([film], CancellationToken.None);
        Assert.Equal(7, await MostWishedScoreAsync(redis, film));
        held.Release();
        await late.WaitAsync(EventsDriver.Patience);

        Assert.Equal(7, await MostWishedScoreAsync(redis, film));
    }

    private sealed record Figures(IReadOnlyList<int> Histogram, int Wishes, int Comments)
    {
        public bool Equals(Figures? other) =>
            other is not null && Histogram.SequenceEqual(other.Histogram) && Wishes == other.Wishes && Comments == other.Comments;

        public override int GetHashCode() => HashCode.Combine(Wishes, Comments);

        public override string ToString() => $"[{string.Join(',', Histogram)}] {Wishes} wishes {Comments} comments";
    }

    private async Task SetWishCountAsync(int film, int wishes) =>
        await fixture.QueryAsync<object>("catalogdb", "UPDATE movies SET wish_count = @p1 WHERE id = @p0", film, wishes);

    private static async Task<double?> MostWishedScoreAsync(IConnectionMultiplexer redis, int film) =>
        await redis.GetDatabase().SortedSetScoreAsync("matcha:{rankings}:most-wished", film.ToString("D10", CultureInfo.InvariantCulture));

    /// <summary>Each user's stored rating ("rating", the score) and wish ("wish", WantToWatch) of these films.</summary>
    private async Task<Dictionary<(Guid Fan, int Film, string Kind), string?>> StoredAsync(List<int> films)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("ratingsdb"));
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("""
            SELECT user_id, movie_id, 'rating', score::text FROM ratings WHERE movie_id = ANY(@films) AND score IS NOT NULL AND rejected_reason IS NULL
            UNION ALL
            SELECT user_id, movie_id, 'wish', state FROM wishlist_entries WHERE movie_id = ANY(@films) AND state = 'WantToWatch'
            """, connection);
        query.Parameters.AddWithValue("films", films.ToArray());
        await using var reader = await query.ExecuteReaderAsync();
        var stored = new Dictionary<(Guid, int, string), string?>();
        while (await reader.ReadAsync())
        {
            stored[(reader.GetGuid(0), reader.GetInt32(1), reader.GetString(2))] = reader.GetString(3);
        }
        return stored;
    }

    private async Task<Dictionary<long, int>> CommentsAsync(List<int> films)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("ratingsdb"));
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT id, movie_id FROM comments WHERE movie_id = ANY(@films)", connection);
        query.Parameters.AddWithValue("films", films.ToArray());
        await using var reader = await query.ExecuteReaderAsync();
        var comments = new Dictionary<long, int>();
        while (await reader.ReadAsync())
        {
            comments[reader.GetInt64(0)] = reader.GetInt32(1);
        }
        return comments;
    }

    private async Task<Dictionary<int, Figures>> CatalogFiguresAsync(List<int> films)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("catalogdb"));
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT id, histogram, wish_count, comment_count FROM movies WHERE id = ANY(@films)", connection);
        query.Parameters.AddWithValue("films", films.ToArray());
        await using var reader = await query.ExecuteReaderAsync();
        var figures = new Dictionary<int, Figures>();
        while (await reader.ReadAsync())
        {
            figures[reader.GetInt32(0)] = new Figures(reader.GetFieldValue<int[]>(1), reader.GetInt32(2), reader.GetInt32(3));
        }
        return figures;
    }

    /// <summary>Where Redis's rankings differ from the standing catalogdb gives each film (as Catalog computes it), one line each.</summary>
    private async Task<List<string>> RankingsMismatchesAsync(IConnectionMultiplexer redis, List<int> films)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("catalogdb"));
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("""
            SELECT m.id, m.average_rating, m.rating_count, m.wish_count,
                   coalesce((SELECT sum(a.count) FROM movie_activity a WHERE a.movie_id = m.id AND a.day >= @since), 0)::bigint
            FROM movies m WHERE m.id = ANY(@films)
            """, connection);
        query.Parameters.AddWithValue("films", films.ToArray());
        query.Parameters.AddWithValue("since", DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1 - Rankings.TrendingDays));
        var expected = new List<(int Film, string Kind, double? Score)>();
        await using (var reader = await query.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var (film, average, ratings, wishes, activity) = (reader.GetInt32(0), reader.GetDouble(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt64(4));
                expected.Add((film, "top-rated", ratings >= Rankings.TopRatedMinimumRatings ? average : null));
                expected.Add((film, "most-wished", wishes > 0 ? wishes : null));
                expected.Add((film, "trending", activity > 0 ? activity : null));
            }
        }
        var database = redis.GetDatabase();
        var mismatches = new List<string>();
        foreach (var (film, kind, score) in expected)
        {
            var inRedis = await database.SortedSetScoreAsync($"matcha:{{rankings}}:{kind}", film.ToString("D10", CultureInfo.InvariantCulture));
            if (inRedis is null != score is null || (score is { } s && Math.Abs(s - inRedis!.Value) > 1e-9))
            {
                mismatches.Add($"{kind} {film}: catalogdb {score}, Redis {inRedis}");
            }
        }
        return mismatches;
    }
}
