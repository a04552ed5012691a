using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Matcha.Bench;

/// <summary>
/// Catalog at scale: a fresh Matcha (Postgres, Redis, Catalog as local processes), loaded with
/// generated films and people, then measured straight against the Catalog service (on its own port, behind no proxy of
/// Aspire's, with a plain HttpClient, as the limit is reached): search
/// latency per query kind, film detail uncached (each film read for the first time) and cached
/// (the same films again), and the cached detail against the limit of this machine — bare Kestrel
/// in this process answering the same bytes from memory. Everything measured is warmed up first
/// (with other films and queries where a first read is what is measured); cached detail and the
/// limit alternate which goes first, round by round, and the median round is the result.
/// </summary>
internal static partial class CatalogBenchmark
{
    private const int Rounds = 5;
    private static readonly string[] Resources = ["postgres", "catalogdb", "redis", "catalog"];
    private static readonly string[] CpuMeasured = ["catalog", "postgres"];

    public static async Task<int> RunAsync(BenchOptions options)
    {
        if (options.Standby)
        {
            return await CompareStandbyAsync(options);
        }
        Console.WriteLine($"Catalog benchmark: {options.Films:N0} films, {options.People:N0} people, {options.Requests:N0} detail requests, concurrency {options.Concurrency}");
        BuildConfiguration.Print();
        Console.WriteLine("Starting Postgres, Redis and Catalog as local processes...");
        // pg_stat_statements, loaded for the benchmark only: what Postgres does per search.
        await using var app = await BenchApp.StartAsync(Resources, builder => builder
            .CreateResourceBuilder(builder.Resources.OfType<IResourceWithArgs>().Single(r => r.Name == "postgres"))
            .WithArgs(Load.PostgresProfile.ServerArgs));

        var stopwatch = Stopwatch.StartNew();
        var connectionString = await app.GetConnectionStringAsync("catalogdb") ?? throw new InvalidOperationException("no catalogdb");
        await CatalogDataGenerator.LoadAsync(connectionString, options.Films, options.People,
            message => Console.WriteLine($"  {stopwatch.Elapsed.TotalSeconds,6:F1} s  {message}"));
        await WaitForSearchIndexAsync(app, options.Films, options.People, stopwatch);

        // Catalog on its own port, with a plain HttpClient like the limit's: neither side pays for Aspire's proxy or the
        // client factory's logging handlers, so the ratio compares the two servers.
        using var client = Load.ServiceProcesses.OwnHttpAddress(app, "catalog") is { } own
            ? new HttpClient { BaseAddress = own }
            : app.CreateHttpClient("catalog", "http");
        Console.WriteLine($"Catalog measured at {client.BaseAddress} (its own port; the limit at its own)");
        // Measured films, and as many others for the warm-up, so the uncached pass reads each film for the first time.
        var films = await FilmIdsAsync(connectionString, 2 * options.Requests);
        var (warmFilms, ids) = (films[..(films.Count / 2)], films[(films.Count / 2)..]);
        var queries = CatalogDataGenerator.QueryKinds.ToDictionary(kind => kind, kind => CatalogDataGenerator.Queries(kind, Math.Max(50, options.Requests / 10)));

        using var sample = await client.GetAsync($"/movies/{ids[0]}");
        await using var limit = await LimitServer.StartAsync(await sample.EnsureSuccessStatusCode().Content.ReadAsByteArrayAsync(), "application/json; charset=utf-8");

        Console.WriteLine("Warm-up: every endpoint measured below...");
        var warm = Math.Min(500, options.Requests);
        // Other films (each read once, then cached) and the limit, alternating full passes until both are steady.
        await Measurement.RunAsync("warm-up", [.. warmFilms.Take(warm).Select(id => $"/movies/{id}")], options.Concurrency, client);
        await Measurement.WarmUpAsync(
            ("detail, cached", () => Measurement.RunAsync("warm-up", [.. warmFilms.Select(id => $"/movies/{id}")], options.Concurrency, client)),
            ("limit (bare Kestrel)", () => Measurement.RunAsync("warm-up", [.. warmFilms.Select(_ => "/")], options.Concurrency, limit.Client)));
        // Searches: other queries of every kind (the measured ones are not answered from cards of their own), films and
        // films + people mixed, in full passes until steady as above. One pass of each kind was not enough: Catalog's first
        // measured passes ran at its JIT's first tier, at three times the CPU per search of the same passes after a longer
        // warm-up (docs/performance.md, "Search after a steady warm-up").
        var otherSearches = CatalogDataGenerator.QueryKinds
            .SelectMany(kind => CatalogDataGenerator.Queries(kind, 500, seed: 11))
            .SelectMany(q => new[] { $"/movies?q={Uri.EscapeDataString(q)}", $"/search?q={Uri.EscapeDataString(q)}" })
            .ToList();
        await Measurement.WarmUpAsync(("searches, every kind", () => Measurement.RunAsync("warm-up", otherSearches, options.Concurrency, client)));

        var searches = new List<(string Kind, Measurement Films, Measurement Both)>();
        var searchCpu = new List<string>();
        await using var statements = Npgsql.NpgsqlDataSource.Create(connectionString);
        await Load.PostgresProfile.ResetAsync(statements);
        foreach (var (kind, list) in queries)
        {
            var (filmsOnly, filmsCpu) = await Load.ServiceProcesses.WithCpuAsync(app, CpuMeasured, () => Measurement.RunAsync($"search, {kind}", [.. list.Select(q => $"/movies?q={Uri.EscapeDataString(q)}")], options.Concurrency, client));
            var (both, bothCpu) = await Load.ServiceProcesses.WithCpuAsync(app, CpuMeasured, () => Measurement.RunAsync($"films+people, {kind}", [.. list.Select(q => $"/search?q={Uri.EscapeDataString(q)}")], options.Concurrency, client));
            searches.Add((kind, filmsOnly, both));
            searchCpu.Add($"| {kind} | {filmsCpu} | {bothCpu} |");
        }
        var postgresPerSearch = new StringWriter(CultureInfo.InvariantCulture);
        await Load.PostgresProfile.PrintAsync(statements, top: 6, perUnit: searches.Sum(s => s.Films.Requests + s.Both.Requests), indent: "  ", output: postgresPerSearch);
        var uncached = await Measurement.RunAsync("detail, uncached", [.. ids.Select(id => $"/movies/{id}")], options.Concurrency, client);

        var cached = new List<Measurement>();
        var bare = new List<Measurement>();
        var ratios = new List<double>();
        Console.WriteLine();
        Console.WriteLine($"Cached film detail against the limit (bare Kestrel, the same {sample.Content.Headers.ContentLength:N0} bytes from memory), {Rounds} rounds:");
        for (var round = 0; round < Rounds; round++)
        {
            // Which side goes first alternates: neither always meets the machine fresh (or tired).
            async Task<Measurement> Cached() => await Measurement.RunAsync("detail, cached", [.. ids.Select(id => $"/movies/{id}")], options.Concurrency, client);
            async Task<Measurement> Limit() => await Measurement.RunAsync("limit (bare Kestrel)", [.. ids.Select(_ => "/")], options.Concurrency, limit.Client);
            Measurement c, l;
            if (round % 2 == 0)
            {
                c = await Cached();
                l = await Limit();
            }
            else
            {
                l = await Limit();
                c = await Cached();
            }
            cached.Add(c);
            bare.Add(l);
            ratios.Add(c.PerSecond / l.PerSecond);
            Console.WriteLine($"  round {round + 1} ({(round % 2 == 0 ? "cached first" : "limit first")})");
            Console.WriteLine($"    {c}");
            Console.WriteLine($"    {l}");
            Console.WriteLine($"    ratio {ratios[^1]:F2}");
        }

        Console.WriteLine();
        Console.WriteLine("| query kind | films p50 | films p99 | films+people p50 | films+people p99 |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var (kind, f, b) in searches)
        {
            Console.WriteLine($"| {kind} | {f.Percentile(50):F1} ms | {f.Percentile(99):F1} ms | {b.Percentile(50):F1} ms | {b.Percentile(99):F1} ms |");
        }
        Console.WriteLine();
        // Where a search's time went, independent of how busy the machine was: CPU ms per search of each process.
        Console.WriteLine("| CPU per search | films | films+people |");
        Console.WriteLine("|---|---|---|");
        searchCpu.ForEach(Console.WriteLine);
        Console.WriteLine();
        Console.WriteLine("Postgres per search, every kind (pg_stat_statements: calls, execution ms, mean ms, buffers per call and of them read from outside shared buffers, planning and JIT ms per call):");
        Console.Write(postgresPerSearch);
        Console.WriteLine();
        searches.ForEach(s => { Console.WriteLine(s.Films); Console.WriteLine(s.Both); });
        Console.WriteLine(uncached);
        var all = searches.SelectMany(s => new[] { s.Films, s.Both }).ToList();
        var ratio = Median(ratios);
        Console.WriteLine($"cached detail / limit: {ratio:F2} (median of {Rounds} rounds: {string.Join(", ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))})");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"catalog: search_p50_ms_max={all.Max(m => m.Percentile(50)):F1} search_p99_ms_max={all.Max(m => m.Percentile(99)):F1} cached_per_s={Median(cached.Select(m => m.PerSecond)):F0} limit_per_s={Median(bare.Select(m => m.PerSecond)):F0} ratio={ratio:F2}"));
        return 0;
    }

    /// <summary>
    /// Read throughput with and without a Postgres standby, side by side: two fresh Matchas (Postgres,
    /// Redis, Catalog), one with <c>Matcha:Infrastructure:Postgres=Standby</c> so Catalog's public reads
    /// go to the standby, loaded alike; then rounds that alternate which goes first, each reading searches
    /// (never cached) and film details not read before (each a cache fill). Both run on the same cores:
    /// on a small machine this measures the standby's overhead (a second server replaying WAL and a
    /// multi-host pool), not the gain a standby on its own machine would bring.
    /// </summary>
    private static async Task<int> CompareStandbyAsync(BenchOptions options)
    {
        Console.WriteLine($"Catalog reads with and without a standby: {options.Films:N0} films, {options.People:N0} people, {options.Requests:N0} requests per pass, concurrency {options.Concurrency}");
        BuildConfiguration.Print();
        Console.WriteLine("Starting two Matchas (Postgres, Redis, Catalog), the second with a Postgres standby...");
        await using var primaryOnly = await BenchApp.StartAsync(Resources);
        await using var withStandby = await BenchApp.StartAsync([.. Resources, "postgres-standby", "catalogdb-replica"],
            args: ["--Matcha:Infrastructure:Postgres=Standby"]);

        var stopwatch = Stopwatch.StartNew();
        var passes = new List<(string Name, HttpClient Client, List<int> Films)>();
        foreach (var (name, app) in new[] { ("primary", primaryOnly), ("standby", withStandby) })
        {
            var connectionString = await app.GetConnectionStringAsync("catalogdb") ?? throw new InvalidOperationException("no catalogdb");
            await CatalogDataGenerator.LoadAsync(connectionString, options.Films, options.People,
                message => Console.WriteLine($"  {stopwatch.Elapsed.TotalSeconds,6:F1} s  {name}: {message}"));
            passes.Add((name, app.CreateHttpClient("catalog", "http"), await FilmIdsAsync(connectionString, (Rounds + 1) * options.Requests)));
        }
        await WaitForStandbyAsync(withStandby);
        Console.WriteLine($"  {stopwatch.Elapsed.TotalSeconds,6:F1} s  the standby has replayed the load");

        var searches = CatalogDataGenerator.QueryKinds
            .SelectMany(kind => CatalogDataGenerator.Queries(kind, Math.Max(50, options.Requests / 4)))
            .Select(q => $"/search?q={Uri.EscapeDataString(q)}").Take(options.Requests).ToList();
        Console.WriteLine("Warm-up...");
        foreach (var (name, client, films) in passes)
        {
            await Measurement.RunAsync("warm-up", [.. films.Take(options.Requests).Select(id => $"/movies/{id}")], options.Concurrency, client);
            await Measurement.RunAsync("warm-up", searches, options.Concurrency, client);
        }

        var results = passes.ToDictionary(p => p.Name, _ => (Search: new List<double>(), Detail: new List<double>()));
        for (var round = 0; round < Rounds; round++)
        {
            Console.WriteLine($"  round {round + 1}");
            var order = round % 2 == 0 ? passes : [.. Enumerable.Reverse(passes)];
            foreach (var (name, client, films) in order)
            {
                var search = await Measurement.RunAsync($"{name}: search", searches, options.Concurrency, client);
                var detail = await Measurement.RunAsync($"{name}: detail, uncached",
                    [.. films.Skip((round + 1) * options.Requests).Take(options.Requests).Select(id => $"/movies/{id}")], options.Concurrency, client);
                results[name].Search.Add(search.PerSecond);
                results[name].Detail.Add(detail.PerSecond);
                Console.WriteLine($"    {search}");
                Console.WriteLine($"    {detail}");
            }
        }
        passes.ForEach(p => p.Client.Dispose());

        var (primary, standby) = (results["primary"], results["standby"]);
        Console.WriteLine();
        Console.WriteLine("On one machine both servers share the cores: this is the standby's overhead, not its gain.");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"standby: search_primary_per_s={Median(primary.Search):F0} search_standby_per_s={Median(standby.Search):F0} detail_primary_per_s={Median(primary.Detail):F0} detail_standby_per_s={Median(standby.Detail):F0} search_ratio={Median(standby.Search) / Median(primary.Search):F2} detail_ratio={Median(standby.Detail) / Median(primary.Detail):F2}"));
        return 0;
    }

    /// <summary>Until the standby has replayed everything the primary had written when asked.</summary>
    private static async Task WaitForStandbyAsync(DistributedApplication app)
    {
        var primary = await app.GetConnectionStringAsync("postgres") ?? throw new InvalidOperationException("no postgres");
        var standby = await app.GetConnectionStringAsync("postgres-standby") ?? throw new InvalidOperationException("no postgres-standby");
        var target = await ScalarAsync<string>(primary, "SELECT pg_current_wal_lsn()::text");
        while (!await ScalarAsync<bool>(standby, $"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"))
        {
            await Task.Delay(500);
        }
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString + ";Database=postgres");
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>
    /// Catalog's in-memory search index reads the loaded rows in the background and search asks
    /// Postgres until it has: wait for its log line, so that the measured searches are the index's.
    /// </summary>
    private static async Task WaitForSearchIndexAsync(DistributedApplication app, int films, int people, Stopwatch stopwatch)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            // Logs are kept per instance (catalog-xxxx), not under the resource's name.
            var catalog = await app.ResourceNotifications.WaitForResourceAsync("catalog", _ => true, timeout.Token);
            await foreach (var batch in app.Services.GetRequiredService<ResourceLoggerService>().WatchAsync(catalog.ResourceId).WithCancellation(timeout.Token))
            {
                foreach (var line in batch)
                {
                    if (line.Content.Contains("Search index", StringComparison.Ordinal))
                    {
                        Console.WriteLine($"  {stopwatch.Elapsed.TotalSeconds,6:F1} s  catalog: {line.Content}");
                    }
                    if (IndexHolds().Match(line.Content) is { Success: true } holds
                        && int.Parse(holds.Groups[1].Value, CultureInfo.InvariantCulture) >= films
                        && int.Parse(holds.Groups[2].Value, CultureInfo.InvariantCulture) >= people)
                    {
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        Console.WriteLine($"  {stopwatch.Elapsed.TotalSeconds,6:F1} s  the search index did not report the loaded rows within 3 minutes: search may be measured on Postgres");
    }

    [GeneratedRegex(@"Search index: .*holds (\d+) films, (\d+) people")]
    private static partial Regex IndexHolds();

    private static async Task<List<int>> FilmIdsAsync(string connectionString, int count)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT id FROM movies ORDER BY random() LIMIT $1", connection) { Parameters = { new() { Value = count } } };
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<int>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt32(0));
        }
        return ids;
    }
}
