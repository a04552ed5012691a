using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting.Testing;
using Matcha.Data;
using Matcha.EventBus;
using Matcha.Ratings.Data;
using Matcha.Ratings.Ratings;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Matcha.Bench;

/// <summary>
/// The event backbone's cost and speed, on a fresh Matcha (Postgres, Redis, Catalog and Ratings as
/// local processes): rating writes per second through Ratings' own write path
/// (<see cref="RatingWrites.SetScoreAsync"/>) with the outbox and with the outbox row left out
/// (nothing else differs: same code, same database, alternating rounds in one run), then the event
/// lag at a steady write rate: from the commit in ratingsdb to the moment Catalog's consumer
/// applied the event (its inbox row's time, in the transaction that updates the statistics).
/// </summary>
internal static class EventsBenchmark
{
    private static readonly string[] Resources = ["postgres", "catalogdb", "ratingsdb", "redis", "catalog", "ratings"];
    private static readonly decimal[] Scores = [.. Enumerable.Range(1, 10).Select(i => i / 2m)];

    internal sealed record Options(int Writes, int Rounds, int Concurrency, int Rate, int Seconds)
    {
        public static Options Parse(string[] args)
        {
            var options = new Options(Writes: 1_000, Rounds: 3, Concurrency: 8, Rate: 50, Seconds: 20);
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                options = args[i] switch
                {
                    "--writes" => options with { Writes = value },
                    "--rounds" => options with { Rounds = value },
                    "--concurrency" => options with { Concurrency = value },
                    "--rate" => options with { Rate = value },
                    "--seconds" => options with { Seconds = value },
                    _ => throw new ArgumentException($"Unknown option {args[i]}"),
                };
            }
            return options;
        }
    }

    public static async Task<int> RunAsync(Options options)
    {
        Console.WriteLine($"Events benchmark: {options.Rounds} rounds of {options.Writes:N0} rating writes each way, concurrency {options.Concurrency}; " +
            $"lag at {options.Rate} writes/s for {options.Seconds} s");
        Console.WriteLine("Starting Postgres, Redis, Catalog and Ratings as local processes...");
        await using var app = await BenchApp.StartAsync(Resources);
        await using var ratingsDb = NpgsqlDataSource.Create(await app.GetConnectionStringAsync("ratingsdb") ?? throw new InvalidOperationException("no ratingsdb"));
        await using var catalogDb = NpgsqlDataSource.Create(await app.GetConnectionStringAsync("catalogdb") ?? throw new InvalidOperationException("no catalogdb"));
        var films = await ReleasedFilmsAsync(ratingsDb);
        Console.WriteLine($"  {films.Length} released films in Ratings' copy of the catalogue");

        var withOutbox = RatingsOptions(ratingsDb);
        var withoutOutbox = RatingsOptions(ratingsDb, new LeaveOutOutbox());
        var users = Enumerable.Range(0, 2_000).Select(_ => Guid.NewGuid()).ToArray();

        await WriteAsync("warm-up", withOutbox, films, users, 200, options.Concurrency);
        await WriteAsync("warm-up", withoutOutbox, films, users, 200, options.Concurrency);
        var measured = new List<(Measurement With, Measurement Without)>();
        for (var round = 0; round < options.Rounds; round++)
        {
            measured.Add((await WriteAsync("with outbox", withOutbox, films, users, options.Writes, options.Concurrency),
                await WriteAsync("without outbox", withoutOutbox, films, users, options.Writes, options.Concurrency)));
            Console.WriteLine($"  round {round + 1}: {measured[^1].With}");
            Console.WriteLine($"  round {round + 1}: {measured[^1].Without}");
        }

        var lag = await LagAsync(withOutbox, catalogDb, films, users, options);

        Console.WriteLine();
        var withRate = measured.Sum(m => m.With.Requests) / measured.Sum(m => m.With.Elapsed.TotalSeconds);
        var withoutRate = measured.Sum(m => m.Without.Requests) / measured.Sum(m => m.Without.Elapsed.TotalSeconds);
        Console.WriteLine($"rating writes/s with the outbox: {withRate:F0}, without: {withoutRate:F0}; with / without: {withRate / withoutRate:F2}");
        Console.WriteLine($"event lag (commit in Ratings -> applied in Catalog), {lag.Requests} events at {options.Rate}/s: " +
            $"p50 {lag.Percentile(50):F0} ms  p95 {lag.Percentile(95):F0} ms  p99 {lag.Percentile(99):F0} ms  max {lag.LatenciesMs.Max():F0} ms");
        return 0;
    }

    /// <summary>Ratings' own provider settings (<see cref="Database.UseServiceDatabase"/>) on the benchmark's data source.</summary>
    private static DbContextOptions<RatingsDbContext> RatingsOptions(NpgsqlDataSource ratingsDb, params IInterceptor[] interceptors)
    {
        var builder = new DbContextOptionsBuilder<RatingsDbContext>();
        builder.UseServiceDatabase(ratingsDb).AddInterceptors(interceptors);
        return builder.Options;
    }

    private static async Task<Measurement> WriteAsync(string name, DbContextOptions<RatingsDbContext> options, int[] films, Guid[] users, int writes, int concurrency)
    {
        var latencies = new double[writes];
        var next = -1;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < writes)
            {
                var started = Stopwatch.GetTimestamp();
                await using var db = new RatingsDbContext(options);
                await RatingWrites.SetScoreAsync(db, users[Random.Shared.Next(users.Length)], films[Random.Shared.Next(films.Length)],
                    Scores[Random.Shared.Next(Scores.Length)], DateTimeOffset.UtcNow, CancellationToken.None);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }));
        return new Measurement(name, writes, stopwatch.Elapsed, latencies);
    }

    /// <summary>Writes at a steady rate, notes each event's commit time, then reads when Catalog applied it.</summary>
    private static async Task<Measurement> LagAsync(DbContextOptions<RatingsDbContext> options, NpgsqlDataSource catalogDb, int[] films, Guid[] users, Options settings)
    {
        // Let the relay and Catalog catch up with the throughput rounds first.
        await WaitForCatalogAsync(catalogDb, TimeSpan.FromMinutes(5));
        var committed = new ConcurrentDictionary<Guid, DateTimeOffset>();
        var interval = TimeSpan.FromSeconds(1.0 / settings.Rate);
        var total = settings.Rate * settings.Seconds;
        var writes = new List<Task>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var due = interval * i;
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }
            writes.Add(Task.Run(async () =>
            {
                await using var db = new RatingsDbContext(options);
                await RatingWrites.SetScoreAsync(db, users[Random.Shared.Next(users.Length)], films[Random.Shared.Next(films.Length)],
                    Scores[Random.Shared.Next(Scores.Length)], DateTimeOffset.UtcNow, CancellationToken.None);
                var at = DateTimeOffset.UtcNow;
                foreach (var outbox in db.ChangeTracker.Entries<OutboxMessage>())
                {
                    committed[outbox.Entity.EventId] = at;
                }
            }));
        }
        await Task.WhenAll(writes);
        await WaitForCatalogAsync(catalogDb, TimeSpan.FromMinutes(2));

        var applied = await AppliedAtAsync(catalogDb, [.. committed.Keys]);
        var lags = committed.Where(c => applied.ContainsKey(c.Key)).Select(c => Math.Max(0, (applied[c.Key] - c.Value).TotalMilliseconds)).ToArray();
        if (lags.Length < committed.Count)
        {
            Console.WriteLine($"  {committed.Count - lags.Length} of {committed.Count} events were not applied in time; left out");
        }
        return new Measurement("lag", lags.Length, clock.Elapsed, lags);
    }

    private static async Task WaitForCatalogAsync(NpgsqlDataSource catalogDb, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        long last = -1;
        while (DateTime.UtcNow < deadline)
        {
            await using var command = catalogDb.CreateCommand("SELECT count(*) FROM inbox_messages WHERE subscription = 'catalog-stats'");
            var count = (long)(await command.ExecuteScalarAsync())!;
            if (count == last)
            {
                return;   // nothing new for two seconds: caught up
            }
            last = count;
            await Task.Delay(2000);
        }
    }

    private static async Task<Dictionary<Guid, DateTimeOffset>> AppliedAtAsync(NpgsqlDataSource catalogDb, Guid[] eventIds)
    {
        await using var command = catalogDb.CreateCommand(
            "SELECT event_id, processed_at FROM inbox_messages WHERE subscription = 'catalog-stats' AND event_id = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = eventIds });
        var applied = new Dictionary<Guid, DateTimeOffset>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            applied[reader.GetGuid(0)] = reader.GetFieldValue<DateTimeOffset>(1);
        }
        return applied;
    }

    /// <summary>Waits for Catalog's films to reach Ratings' copy, and picks the released ones.</summary>
    private static async Task<int[]> ReleasedFilmsAsync(NpgsqlDataSource ratingsDb)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var command = ratingsDb.CreateCommand("""
                SELECT id FROM movies WHERE removed_at IS NULL
                AND (release_date <= current_date OR (release_date IS NULL AND year > 0 AND year < extract(year FROM current_date)))
                ORDER BY id LIMIT 500
                """);
            var ids = new List<int>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    ids.Add(reader.GetInt32(0));
                }
            }
            if (ids.Count >= 20 || attempt == 60)
            {
                return ids.Count > 0 ? [.. ids] : throw new InvalidOperationException("Ratings has no released films.");
            }
            await Task.Delay(1000);
        }
    }

    /// <summary>The "without" side: the same write with its outbox row dropped before it reaches the database.</summary>
    private sealed class LeaveOutOutbox : SaveChangesInterceptor
    {
        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            foreach (var entry in eventData.Context!.ChangeTracker.Entries<OutboxMessage>().Where(e => e.State == EntityState.Added).ToList())
            {
                entry.State = EntityState.Detached;
            }
            return ValueTask.FromResult(result);
        }
    }
}
