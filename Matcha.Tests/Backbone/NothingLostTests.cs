using System.Collections.Concurrent;
using System.Net;
using Npgsql;
using Xunit.Abstractions;

namespace Matcha.Tests.Backbone;

/// <summary>
/// The "nothing lost" check: many users change ratings while Redis, Ratings and Catalog are each
/// restarted or killed. Afterwards every acknowledged change is in ratingsdb, and Catalog's
/// statistics for every film equal the statistics computed directly from ratingsdb.
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public class NothingLostTests(MatchaAppFixture fixture, ITestOutputHelper output)
{
    private const int Fans = 16;
    private const int Films = 6;
    private const int MinimumAcknowledged = 2000;

    private sealed record Attempt(decimal? Score, bool Acknowledged);

    [Fact]
    public async Task ManyUsersRatingWhileRedisRatingsAndCatalogRestartLoseNothing()
    {
        using var gateway = fixture.CreateGatewayClient();
        gateway.Timeout = TimeSpan.FromSeconds(20);
        var fans = new List<Fan>();
        for (var i = 0; i < Fans; i++)
        {
            fans.Add(await gateway.NewFanAsync());
        }
        var films = new List<int>();
        for (var i = 0; i < Films; i++)
        {
            films.Add(await fixture.AddFilmAsync());
        }

        var history = new ConcurrentDictionary<(Guid Fan, int Film), List<Attempt>>();
        var acknowledged = 0;
        var failed = 0;
        var chaosDone = false;
        var chaos = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
                await fixture.RestartRedisEmptyAsync();
                await Task.Delay(TimeSpan.FromSeconds(2));
                await fixture.KillAsync("ratings");
                await fixture.StartAgainAsync("ratings");
                await Task.Delay(TimeSpan.FromSeconds(2));
                await fixture.KillAsync("catalog");
                await fixture.StartAgainAsync("catalog");
            }
            finally
            {
                Volatile.Write(ref chaosDone, true);
            }
        });

        var writers = fans.Select((fan, index) => Task.Run(async () =>
        {
            var random = new Random(index);
            // Paced, so that the restarts compete with a steady load rather than a flood; bounded, so a
            // restart that never completes fails the test instead of hanging it.
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
            while ((!Volatile.Read(ref chaosDone) || Volatile.Read(ref acknowledged) < MinimumAcknowledged) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
                var film = films[random.Next(films.Count)];
                decimal? score = random.Next(5) == 0 ? null : random.Next(1, 11) * 0.5m;
                var ok = false;
                try
                {
                    var status = score is { } s ? await gateway.RateAsync(fan, film, (double)s) : await gateway.UnrateAsync(fan, film);
                    ok = status == HttpStatusCode.NoContent;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                }
                history.GetOrAdd((fan.Id, film), _ => []).Add(new Attempt(score, ok));
                if (ok)
                {
                    Interlocked.Increment(ref acknowledged);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                    await Task.Delay(100);
                }
            }
        })).ToList();
        await Task.WhenAll([chaos, .. writers]);
        Assert.True(acknowledged >= MinimumAcknowledged, $"Only {acknowledged} changes were acknowledged.");

        // Every acknowledged change is in ratingsdb: the stored score is the last acknowledged one,
        // or a later attempt whose answer was lost (it may have committed before the process died).
        var stored = await StoredScoresAsync(films);
        foreach (var ((fanId, film), attempts) in history)
        {
            var lastAcknowledged = attempts.FindLastIndex(a => a.Acknowledged);
            var possible = attempts.Skip(Math.Max(lastAcknowledged, 0)).Select(a => a.Score).ToHashSet();
            if (lastAcknowledged < 0)
            {
                possible.Add(null);
            }
            Assert.Contains(stored.GetValueOrDefault((fanId, film)), possible);
        }

        // Catalog's statistics equal what ratingsdb says, film by film.
        var expected = films.ToDictionary(f => f, f => Histogram(stored.Where(s => s.Key.Film == f).Select(s => s.Value)));
        var actual = await EventsDriver.EventuallyAsync(() => CatalogHistogramsAsync(films),
            h => films.All(f => h[f].SequenceEqual(expected[f])), TimeSpan.FromSeconds(120));
        output.WriteLine($"{acknowledged + failed} rating requests: {acknowledged} acknowledged, {failed} refused or lost during restarts; " +
            $"{stored.Count} ratings stored for {Films} films by {Fans} users; Catalog counts {actual.Values.Sum(h => h.Sum())}.");
        foreach (var film in films)
        {
            Assert.Equal(expected[film], actual[film]);
            output.WriteLine($"film {film}: ratingsdb {string.Join(',', expected[film])} = catalog {string.Join(',', actual[film])}");
        }
    }

    private async Task<Dictionary<(Guid Fan, int Film), decimal?>> StoredScoresAsync(List<int> films)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("ratingsdb"));
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand(
            "SELECT user_id, movie_id, score FROM ratings WHERE movie_id = ANY(@films) AND score IS NOT NULL AND rejected_reason IS NULL", connection);
        query.Parameters.AddWithValue("films", films.ToArray());
        await using var reader = await query.ExecuteReaderAsync();
        var scores = new Dictionary<(Guid, int), decimal?>();
        while (await reader.ReadAsync())
        {
            scores[(reader.GetGuid(0), reader.GetInt32(1))] = reader.GetDecimal(2);
        }
        return scores;
    }

    private async Task<Dictionary<int, int[]>> CatalogHistogramsAsync(List<int> films)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("catalogdb"));
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT id, histogram FROM movies WHERE id = ANY(@films)", connection);
        query.Parameters.AddWithValue("films", films.ToArray());
        await using var reader = await query.ExecuteReaderAsync();
        var histograms = new Dictionary<int, int[]>();
        while (await reader.ReadAsync())
        {
            histograms[reader.GetInt32(0)] = reader.GetFieldValue<int[]>(1);
        }
        return histograms;
    }

    private static int[] Histogram(IEnumerable<decimal?> scores) =>
        EventsDriver.Histogram([.. scores.Select(s => (double)s!.Value)]);
}
