using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Matcha.Bench.Load;
using Matcha.Testing;
using Npgsql;
using NpgsqlTypes;

namespace Matcha.Bench;

/// <summary>
/// The web app's screens through the gateway at Watcha's scale: a fresh Matcha loaded with the
/// catalog benchmark's 100,000 generated films (<see cref="CatalogDataGenerator"/>), a signed-in
/// user who rated 500 of them (through the gateway, as the app rates), wished and commented on a
/// few, and a trained model (the others' ratings loaded straight into ratingsdb). Every screen —
/// signed in: home, film, person, my page, rate to start; anonymous: home, film, person — is warmed
/// up with full passes until each pass is within 10 % of the one before, then measured with 16 concurrent requests. The gateway runs with
/// <c>Gateway:Screens:ServerTiming</c> on, so each answer lists the requests it sent to each
/// service and how long each took: the calls per service per screen are counted from that, and
/// the time spent in each service is printed beside the screen's own latency.
/// </summary>
internal static class ScreensBenchmark
{
    private const int RatingsOfTheUser = 500;
    private const int OtherUsers = 300;
    private const int RatingsPerOtherUser = 60;

    /// <summary>The others rate films from a pool this large, so the model has overlap to learn from.</summary>
    private const int RatedPool = 5_000;

    private const int TargetP99Ms = 100;

    private static readonly TimeSpan CircuitBreak = TimeSpan.FromSeconds(6);

    private static readonly string[] CpuProcesses = ["gateway", "catalog", "ratings", "postgres", "redis", "dcp", "client"];

    /// <summary>A process's CPU time so far: a resource's, Aspire's proxies' (the orchestrator, dcp) or this benchmark's own.</summary>
    private static TimeSpan CpuTime(DistributedApplication app, string process) => process switch
    {
        "dcp" => ServiceProcesses.OrchestratorCpuTime(app, "gateway"),
        "client" => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime,
        _ => ServiceProcesses.CpuTime(app, process),
    };

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var requests = options.Requests;
        Console.WriteLine($"Screens benchmark: {options.Films:N0} films, {options.People:N0} people, a user with {RatingsOfTheUser} ratings; "
            + $"{requests:N0} requests per screen, concurrency {options.Concurrency}");
        BuildConfiguration.Print();
        Console.WriteLine("Starting Matcha (local Postgres and Redis)...");
        // The rate limits would measure themselves; Server-Timing tells the calls each screen made.
        await using var app = await BenchApp.StartAsync(resources: null, builder => builder
            .CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "gateway"))
            .WithEnvironment("Gateway__RateLimits__UserBurst", "1000000")
            .WithEnvironment("Gateway__RateLimits__UserPerSecond", "1000000")
            .WithEnvironment("Gateway__RateLimits__AnonymousBurst", "1000000")
            .WithEnvironment("Gateway__RateLimits__AnonymousPerSecond", "1000000")
            .WithEnvironment("Gateway__Screens__ServerTiming", "true")
            .ApplicationBuilder.CreateResourceBuilder(builder.Resources.OfType<IResourceWithArgs>().Single(r => r.Name == "postgres"))
            .WithArgs(PostgresProfile.ServerArgs));

        Console.WriteLine($"Services started from: {string.Join(", ", ServiceProcesses.Services.Select(s => $"{s} {ServiceProcesses.BuildConfiguration(app, s)}"))}");
        var stopwatch = Stopwatch.StartNew();
        void Progress(string message) => Console.WriteLine($"  {stopwatch.Elapsed.TotalSeconds,6:F1} s  {message}");
        var catalogDb = await app.GetConnectionStringAsync("catalogdb") ?? throw new InvalidOperationException("no catalogdb");
        var ratingsDb = await app.GetConnectionStringAsync("ratingsdb") ?? throw new InvalidOperationException("no ratingsdb");
        var seededUpTo = await ScalarAsync<int>(catalogDb, "SELECT coalesce(max(id), 0) FROM movies");
        await CatalogDataGenerator.LoadAsync(catalogDb, options.Films, options.People, Progress);
        var films = await CopyFilmsToRatingsAsync(catalogDb, ratingsDb, seededUpTo);
        Progress($"{films.Count:N0} films copied into Ratings' film copy (as Catalog's events would)");

        using var gateway = app.CreateHttpClient("gateway", "http");
        var user = await gateway.SignUpAsync();
        var userId = (await gateway.GetMeAsync((await gateway.LoginAsync(user)).AccessToken)).Id;
        var random = new Random(16);
        var pool = films.Take(RatedPool).ToArray();
        var rated = pool.OrderBy(_ => random.Next()).Take(RatingsOfTheUser).ToArray();
        await RateAsync(gateway, await gateway.LoginAsync(user), rated, [.. pool.Except(rated).Take(30)], random, options.Concurrency);
        Progress($"the user rated {rated.Length} films, wished 30 and commented on 20, through the gateway");
        var others = await LoadOthersAsync(ratingsDb, pool, random);
        Progress($"{others:N0} ratings by {OtherUsers} other users loaded into ratingsdb");
        var model = await PredictBenchmark.TrainAsync(app, gateway, others + RatingsOfTheUser);
        Progress($"model trained on {model.Model.GetProperty("ratingCount").GetInt32():N0} ratings");
        // Catalog's load is vacuumed as it ends; Ratings' copy of the films and the others' ratings are vacuumed here, and
        // the load written out, so that neither autovacuum nor the checkpoint after the load runs inside a measured pass.
        await PostgresBackground.SettleAsync(ratingsDb);
        Progress("ratingsdb vacuumed and analysed, checkpoint written");

        // Films and people the screens show: the user's rated films, and people credited on them.
        var filmPaths = rated.Take(200).Select(id => $"/api/screens/movie/{id}").ToList();
        var people = await PeopleCreditedOnAsync(catalogDb, rated);
        var personPaths = people.Select(id => $"/api/screens/person/{id}").ToList();
        (string Name, bool SignedIn, List<string> Paths)[] screens =
        [
            ("home", true, ["/api/screens/home"]),
            ("film", true, filmPaths),
            ("person", true, personPaths),
            ("my page", true, ["/api/screens/me"]),
            ("rate to start", true, ["/api/screens/rate-to-start"]),
            ("home, anonymous", false, ["/api/screens/home"]),
            ("film, anonymous", false, filmPaths),
            ("person, anonymous", false, personPaths),
        ];

        // The screens on the gateway's own port, as the load and gateway benchmarks measure it: Aspire's proxy keeps one
        // stable address for the browser, which a deployment does not have, and forwarding cost dcp 0.1-0.25 ms of CPU a screen.
        var ownAddress = ServiceProcesses.OwnHttpAddress(app, "gateway") ?? gateway.BaseAddress;
        using var anonymous = app.CreateHttpClient("gateway", "http");
        anonymous.BaseAddress = ownAddress;
        using var signedIn = app.CreateHttpClient("gateway", "http");
        signedIn.BaseAddress = ownAddress;
        Console.WriteLine($"The gateway measured at {ownAddress} (its own port)");
        signedIn.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await gateway.LoginAsync(user)).AccessToken);
        // Until steady, as the gateway benchmark warms up: one pass of 300 requests a screen left the
        // services' JIT promoting hot methods (0.5-0.8 s of JIT a second in Ratings, from its runtime
        // counters) through the measured passes (docs/performance.md, "Screens").
        Console.WriteLine("Warm-up: every screen measured below, full passes, until each is steady...");
        await Measurement.WarmUpAsync([.. screens.Select(screen => (screen.Name, (Func<Task<Measurement>>)(async () =>
            (await ScreenMeasurement.RunAsync(screen.Name, Cycle(screen.Paths, requests), options.Concurrency, screen.SignedIn ? signedIn : anonymous)).Latency)))]);

        Console.WriteLine();
        var results = new List<ScreenMeasurement>();
        var cpu = new List<Dictionary<string, double>>();
        // Postgres's statements per screen (pg_stat_statements, loaded for this benchmark): what its share of the CPU is spent on.
        await using var statements = NpgsqlDataSource.Create(ratingsDb);
        var statementsByScreen = new List<(string Screen, StringWriter Top)>();
        var postgresBackground = new List<string>();
        foreach (var (name, isSignedIn, paths) in screens)
        {
            if (results.Count == 0 || results[^1].Degraded > 0)
            {
                // A circuit the warm-up or the last screen opened closes after its break (Gateway:Screens:*:BreakDuration, 5 s):
                // each screen starts with every service asked.
                await Task.Delay(CircuitBreak);
            }
            // CPU time per screen by process: on a shared machine latency mostly measures the queue for a core, this what each hop costs.
            await PostgresProfile.ResetAsync(statements);
            var background = await PostgresBackground.CountAsync(ratingsDb, catalogDb);
            var before = CpuProcesses.ToDictionary(p => p, p => CpuTime(app, p));
            var result = await ScreenMeasurement.RunAsync(name, Cycle(paths, requests), options.Concurrency, isSignedIn ? signedIn : anonymous);
            cpu.Add(CpuProcesses.ToDictionary(p => p, p => (CpuTime(app, p) - before[p]).TotalMilliseconds / requests));
            postgresBackground.Add(PostgresBackground.Between(background, await PostgresBackground.CountAsync(ratingsDb, catalogDb)));
            if (isSignedIn)
            {
                var top = new StringWriter(CultureInfo.InvariantCulture);
                await PostgresProfile.PrintAsync(statements, top: 6, perUnit: requests, indent: "    ", output: top);
                statementsByScreen.Add((name, top));
            }
            results.Add(result);
            Console.WriteLine($"{result.Latency}  degraded {result.Degraded}");
        }

        if (results.All(r => r.MaxCalls.Count == 0))
        {
            throw new InvalidOperationException("No screen reported a call in Server-Timing: is Gateway:Screens:ServerTiming on?");
        }
        var services = results.SelectMany(r => r.MaxCalls.Keys).Distinct().Order().ToList();
        Console.WriteLine();
        Console.WriteLine($"through the gateway, {options.Concurrency} concurrent, {options.Films:N0} films, a user with {RatingsOfTheUser} ratings:");
        Console.WriteLine($"| screen | p50 | p99 | degraded | {string.Join(" | ", services.Select(s => $"{s} calls (max, answers asking)"))} | {string.Join(" | ", services.Select(s => $"{s} p50 / p99"))} |");
        Console.WriteLine($"|---|---|---|---|{string.Concat(services.Select(_ => "---|"))}{string.Concat(services.Select(_ => "---|"))}");
        foreach (var r in results)
        {
            var calls = services.Select(s => $"{r.MaxCalls.GetValueOrDefault(s)} ({r.Asked.GetValueOrDefault(s)})");
            var times = services.Select(s => r.ServiceTimes.TryGetValue(s, out var t) && t.Length > 0
                ? $"{Measurement.PercentileOf(t, 50):F1} / {Measurement.PercentileOf(t, 99):F1} ms" : "–");
            Console.WriteLine($"| {r.Latency.Name} | {r.Latency.Percentile(50):F1} ms | {r.Latency.Percentile(99):F1} ms | {r.Degraded} | {string.Join(" | ", calls)} | {string.Join(" | ", times)} |");
        }
        Console.WriteLine();
        Console.WriteLine("CPU ms per screen, by process (all its processes, Postgres's backends included; dcp: Aspire's proxies; client: this benchmark),");
        Console.WriteLine("and Postgres's own work during the pass (autovacuum, autoanalyze, checkpoints):");
        Console.WriteLine($"| screen | {string.Join(" | ", CpuProcesses)} | total | Postgres's own work |");
        Console.WriteLine($"|---|{string.Concat(CpuProcesses.Select(_ => "---|"))}---|---|");
        foreach (var ((r, perProcess), background) in results.Zip(cpu).Zip(postgresBackground))
        {
            Console.WriteLine($"| {r.Latency.Name} | {string.Join(" | ", CpuProcesses.Select(p => perProcess[p].ToString("F2", CultureInfo.InvariantCulture)))} | {perProcess.Values.Sum():F2} | {background} |");
        }
        Console.WriteLine();
        Console.WriteLine("Postgres's statements with the most execution time, per screen answered (calls, ms, mean, buffers):");
        foreach (var (screen, top) in statementsByScreen)
        {
            Console.WriteLine($"  {screen}:");
            Console.Write(top);
        }
        if (results.Where(r => r.Degraded > 0).ToList() is { Count: > 0 } degraded)
        {
            Console.WriteLine($"degraded: {string.Join(", ", degraded.Select(r => $"{r.Latency.Name} {r.Degraded} of {r.Latency.Requests}"))} answers left a part out "
                + "(a service slower than its attempt timeout, or its circuit open): their latencies are not the whole screen's");
        }
        var worst = results.MaxBy(r => r.Latency.Percentile(99))!;
        Console.WriteLine($"slowest at p99: {worst.Latency.Name}, {worst.Latency.Percentile(99):F1} ms (target {TargetP99Ms} ms); load average {LoadAverage()}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"screens: p99_ms_max={worst.Latency.Percentile(99):F1} calls_per_service_max={results.SelectMany(r => r.MaxCalls.Values).DefaultIfEmpty(0).Max()}"));
        return 0;
    }

    private static List<string> Cycle(List<string> paths, int count) => [.. Enumerable.Range(0, count).Select(i => paths[i % paths.Count])];

    /// <summary>
    /// Ratings' copy of the generated films, which Catalog's MovieChanged events would have made had
    /// the films been added one by one: the facts Ratings checks a rating against and taste analysis reads.
    /// </summary>
    private static async Task<List<int>> CopyFilmsToRatingsAsync(string catalogDb, string ratingsDb, int seededUpTo)
    {
        await using var from = new NpgsqlConnection(catalogDb);
        await using var to = new NpgsqlConnection(ratingsDb);
        await from.OpenAsync();
        await to.OpenAsync();
        var ids = new List<int>();
        await using var read = new NpgsqlCommand("""
            SELECT m.id, m.release_date, m.year, m.genres, m.countries, m.runtime,
                   coalesce((SELECT array_agg(c.person_id ORDER BY c."order" NULLS FIRST) FROM credits c WHERE c.movie_id = m.id), '{}')
            FROM movies m WHERE m.id > $1 ORDER BY m.popularity DESC
            """, from) { Parameters = { new() { Value = seededUpTo } } };
        await using var reader = await read.ExecuteReaderAsync();
        await using var copy = await to.BeginBinaryImportAsync(
            "COPY movies (id, release_date, year, genres, countries, runtime, people_ids, version) FROM STDIN (FORMAT BINARY)");
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt32(0));
            await copy.StartRowAsync();
            await copy.WriteAsync(reader.GetInt32(0), NpgsqlDbType.Integer);
            await copy.WriteAsync(reader.GetFieldValue<DateOnly>(1), NpgsqlDbType.Date);
            await copy.WriteAsync(reader.GetInt32(2), NpgsqlDbType.Integer);
            await copy.WriteAsync(reader.GetFieldValue<string[]>(3), NpgsqlDbType.Array | NpgsqlDbType.Text);
            await copy.WriteAsync(reader.GetFieldValue<string[]>(4), NpgsqlDbType.Array | NpgsqlDbType.Text);
            await copy.WriteAsync(reader.GetInt32(5), NpgsqlDbType.Integer);
            await copy.WriteAsync(reader.GetFieldValue<int[]>(6), NpgsqlDbType.Array | NpgsqlDbType.Integer);
            await copy.WriteAsync(1L, NpgsqlDbType.Bigint);
        }
        await copy.CompleteAsync();
        return ids;
    }

    /// <summary>The user's ratings, wishes and comments, written through the gateway as the web app writes them.</summary>
    private static async Task RateAsync(HttpClient gateway, Tokens tokens, int[] films, int[] wished, Random random, int concurrency)
    {
        var scores = films.Select(_ => 0.5m * random.Next(1, 11)).ToArray();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < films.Length)
            {
                using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/ratings/movies/{films[i]}/rating") { Content = JsonContent.Create(new { score = scores[i] }) };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
                using var response = await gateway.SendAsync(request);
                response.EnsureSuccessStatusCode();
            }
        }));
        foreach (var film in films.Take(20))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/ratings/movies/{film}/comments") { Content = JsonContent.Create(new { text = "Worth a second look." }) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
            using var response = await gateway.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }
        // Wishes go to films the user has not rated (a rated film leaves the wishlist).
        foreach (var film in wished)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/ratings/movies/{film}/wishlist") { Content = JsonContent.Create(new { state = "wantToWatch" }) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
            using var response = await gateway.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>Other users' ratings of films in the pool, straight into ratingsdb: what the model learns from.</summary>
    private static async Task<int> LoadOthersAsync(string ratingsDb, int[] pool, Random random)
    {
        await using var connection = new NpgsqlConnection(ratingsDb);
        await connection.OpenAsync();
        await using var copy = await connection.BeginBinaryImportAsync("COPY ratings (user_id, movie_id, score, version, updated_at) FROM STDIN (FORMAT BINARY)");
        var count = 0;
        for (var u = 0; u < OtherUsers; u++)
        {
            var user = Guid.NewGuid();
            foreach (var film in Enumerable.Range(0, RatingsPerOtherUser).Select(_ => pool[random.Next(pool.Length)]).Distinct())
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(user, NpgsqlDbType.Uuid);
                await copy.WriteAsync(film, NpgsqlDbType.Integer);
                await copy.WriteAsync(0.5m * random.Next(1, 11), NpgsqlDbType.Numeric);
                await copy.WriteAsync(1L, NpgsqlDbType.Bigint);
                await copy.WriteAsync(DateTimeOffset.UtcNow.AddDays(-random.Next(1, 365)), NpgsqlDbType.TimestampTz);
                count++;
            }
        }
        await copy.CompleteAsync();
        return count;
    }

    private static async Task<List<int>> PeopleCreditedOnAsync(string catalogDb, int[] films)
    {
        await using var connection = new NpgsqlConnection(catalogDb);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT DISTINCT person_id FROM credits WHERE movie_id = ANY($1) LIMIT 200", connection)
        {
            Parameters = { new() { Value = films } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<int>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt32(0));
        }
        return ids;
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}

/// <summary>
/// One screen measured through the gateway: its latencies, and from each answer's
/// <c>Server-Timing</c> the requests it sent to each service (the most any one answer sent) and their times.
/// </summary>
internal sealed record ScreenMeasurement(
    Measurement Latency, IReadOnlyDictionary<string, int> MaxCalls, IReadOnlyDictionary<string, double[]> ServiceTimes, int Degraded, IReadOnlyDictionary<string, int> Asked)
{
    public static async Task<ScreenMeasurement> RunAsync(string name, IReadOnlyList<string> paths, int concurrency, HttpClient client)
    {
        var maxCalls = new ConcurrentDictionary<string, int>();
        var times = new ConcurrentDictionary<string, ConcurrentBag<double>>();
        var asked = new ConcurrentDictionary<string, int>();
        var degraded = 0;
        var latency = await Measurement.RunAsync(name, paths, concurrency, client, (response, body) =>
        {
            // An answer that left a part out (a service too slow, a circuit open) is fast for the wrong reason: counted apart.
            if (LeavesPartsOut(body))
            {
                Interlocked.Increment(ref degraded);
            }
            var calls = ServerTiming(response).ToList();
            foreach (var (service, ms) in calls)
            {
                times.GetOrAdd(service, _ => []).Add(ms);
            }
            foreach (var group in calls.GroupBy(call => call.Service))
            {
                asked.AddOrUpdate(group.Key, 1, (_, count) => count + 1);
                maxCalls.AddOrUpdate(group.Key, group.Count(), (_, max) => Math.Max(max, group.Count()));
            }
        });
        return new ScreenMeasurement(latency, maxCalls, times.ToDictionary(pair => pair.Key, pair => pair.Value.ToArray()), degraded, asked);
    }

    /// <summary>
    /// Whether the screen's top-level <c>unavailable</c> names anything. Read with a reader that builds nothing rather
    /// than a document of the whole answer: this benchmark's client shares the two cores with what it measures.
    /// </summary>
    private static bool LeavesPartsOut(byte[] body)
    {
        var reader = new Utf8JsonReader(body);
        reader.Read();   // the screen's object
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isUnavailable = reader.ValueTextEquals("unavailable"u8);
            reader.Read();
            if (isUnavailable)
            {
                return reader.TokenType != JsonTokenType.StartArray || (reader.Read() && reader.TokenType != JsonTokenType.EndArray);
            }
            reader.Skip();
        }
        throw new InvalidDataException("A screen's answer has no top-level 'unavailable'.");
    }

    /// <summary><c>catalog;dur=4.2, ratings;dur=7.9</c>: one entry per request the screen sent.</summary>
    private static IEnumerable<(string Service, double Ms)> ServerTiming(HttpResponseMessage response)
    {
        // A screen that asked no service (an anonymous home: the shared lists) sends none.
        if (!response.Headers.TryGetValues("Server-Timing", out var values))
        {
            yield break;
        }
        foreach (var entry in values.SelectMany(value => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var parts = entry.Split(';', StringSplitOptions.TrimEntries);
            var duration = parts.Skip(1).FirstOrDefault(p => p.StartsWith("dur=", StringComparison.Ordinal));
            yield return (parts[0], duration is null ? 0 : double.Parse(duration[4..], CultureInfo.InvariantCulture));
        }
    }
}
