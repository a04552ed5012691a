using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Matcha.Catalog.Statistics;
using Matcha.EventBus;
using Matcha.Testing;
using Npgsql;
using StackExchange.Redis;

namespace Matcha.Bench.Load;

/// <summary>
/// Writes and events at load, on a fresh Matcha started as Release builds (local Postgres and
/// Redis): signed-in virtual users write through the gateway (ratings 70 %, wishlist 20 %,
/// comments 10 %) in rounds that alternate with the outbox, without the outbox row
/// (<see cref="OutboxSwitch"/>) and the limit (<see cref="NpgsqlWrites"/>), each round draining
/// before the next; then a steady rate for the event lag (<see cref="EventLedger"/>), with faults
/// when asked (<see cref="LoadChaos"/>); then, drained, the writes Catalog is missing
/// (<see cref="LostWrites"/>).
/// </summary>
internal static class LoadBenchmark
{
    private static readonly TimeSpan DrainPatience = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan SettleLength = TimeSpan.FromSeconds(10);

    /// <summary><c>--relay both</c> runs the whole benchmark once per relay, each on a fresh Matcha, and prints their summaries side by side.</summary>
    public static async Task<int> RunAsync(LoadOptions options)
    {
        if (options.Relay != "both")
        {
            Console.WriteLine(await RunOneAsync(options));
            return 0;
        }
        var summaries = new List<(string Relay, string Summary)>();
        foreach (var relay in (string[])["notify", "cdc"])
        {
            summaries.Add((relay, await RunOneAsync(options with { Relay = relay })));
            Console.WriteLine(summaries[^1].Summary);
            Console.WriteLine();
        }
        Console.WriteLine("Relays side by side (each on a fresh Matcha, one after the other, the same options):");
        foreach (var (relay, summary) in summaries)
        {
            Console.WriteLine($"  {relay,-6} {summary}");
        }
        // The last line is the default relay's, as for a run without --relay.
        Console.WriteLine(summaries[0].Summary);
        return 0;
    }

    private static async Task<string> RunOneAsync(LoadOptions options)
    {
        Console.WriteLine($"Load benchmark: {options.Users} users, concurrency {options.Concurrency}, {options.Rounds} rounds of {options.RoundLength.TotalSeconds:F0} s each way, " +
            $"then {options.Rate} writes/s for {options.Seconds} s; relay {options.Relay}{(options.Chaos ? "; chaos: Redis restart, kill -9 of Ratings and Catalog" : "")}");
        Console.WriteLine("Starting Matcha (local Postgres and Redis)...");
        await using var app = await BenchApp.StartAsync(resources: null, builder => Configure(builder, options));
        foreach (var service in ServiceProcesses.Services)
        {
            Console.WriteLine($"  {service}: {ServiceProcesses.BuildConfiguration(app, service)} build");
        }
        Console.WriteLine($"  {KernelScheduler.Describe()}");
        Console.WriteLine($"  {BenchApp.Telemetry.Describe()}");
        var workingSets = ServiceProcesses.Services.ToDictionary(s => s, s => ServiceProcesses.WorkingSetMb(app, s));

        await using var ratingsDb = DataSource(await app.GetConnectionStringAsync("ratingsdb"), options.Concurrency);
        await using var catalogDb = DataSource(await app.GetConnectionStringAsync("catalogdb"), 8);
        await using var socialDb = DataSource(await app.GetConnectionStringAsync("socialdb"), 2);
        using var gateway = app.CreateHttpClient("gateway", "http");
        gateway.Timeout = TimeSpan.FromSeconds(30);
        // On the gateway's own port, as the gateway benchmark measures it: Aspire's proxy keeps one stable address for the
        // browser, which a deployment does not have, and forwarding the client's writes took it 3 % of the machine at 200
        // writes/s, a hop the limit's bare Npgsql client does not pay (docs/performance.md, "The steady phase, profiled").
        if (ServiceProcesses.OwnHttpAddress(app, "gateway") is { } ownAddress)
        {
            gateway.BaseAddress = ownAddress;
            GatewayAccounts.UseMailSink(ownAddress, app.GetEndpoint("mail", "http"));   // sign-ups are verified through it
        }
        Console.WriteLine($"  the gateway measured at {gateway.BaseAddress} (its own port)");
        // The rounds without the outbox announce nothing, by design, so they write to films of their
        // own, which the lost count leaves out; everything else writes to the rest.
        var allFilms = await ReleasedFilmsAsync(ratingsDb, catalogDb);
        var silentFilms = allFilms.Where((_, i) => i % 5 == 4).ToArray();
        var films = allFilms.Except(silentFilms).ToArray();
        using var users = await VirtualUsers.SignUpAsync(gateway, options.Users, films);
        using var silentUsers = new VirtualUsers(users.All, silentFilms);
        Console.WriteLine($"  {users.Count} users signed up and in through the gateway; {films.Length} released films, {silentFilms.Length} more for the rounds without outbox");

        var ledger = new EventLedger(ratingsDb, catalogDb, socialDb);
        var throughGateway = new GatewayWrites(gateway, "gateway, with outbox");
        var withoutOutbox = new GatewayWrites(gateway, "gateway, without outbox");
        var limit = new NpgsqlWrites(ratingsDb);
        var errors = new ErrorTally();

        // Warm-up (tiered JIT, pools, caches, Postgres's prepared statements per connection), not measured: rounds each way
        // until each is within 10 % of its last. One round each way was too short: five rounds of one run went 137, 261,
        // 363, 376 and 385 writes/s with the outbox, as the CPU per write fell over about 40 s of load (docs/performance.md).
        Console.WriteLine("Warm-up: rounds with the outbox and of the limit, each drained, until each is steady...");
        await Measurement.WarmUpAsync(
            (throughGateway.Name, () => DrainedAsync(WriteRunner.FlatOutAsync(throughGateway, users, options.Concurrency, options.RoundLength, errors), ledger)),
            (limit.Name, () => DrainedAsync(WriteRunner.FlatOutAsync(limit, users, options.Concurrency, options.RoundLength, errors), ledger)));
        await PostgresProfile.ResetAsync(ratingsDb);

        var rounds = new List<(Measurement With, Measurement Without, Measurement Limit)>();
        var cpu = new List<(Dictionary<string, double> With, Dictionary<string, double> Without, Dictionary<string, double> Limit)>();
        // Each side's CPU is counted up to the end of its drain: the relay's and Catalog's work belongs to the writes that caused it.
        async Task<(Measurement, Dictionary<string, double>)> RoundAsync(IWriteTarget target, VirtualUsers writers, bool drain)
        {
            var profile = CpuProfile.Start(app);
            var measured = await WriteRunner.FlatOutAsync(target, writers, options.Concurrency, options.RoundLength, errors);
            if (drain)
            {
                await DrainAsync(ledger);
            }
            return (measured, profile.PerWrite(measured.Requests));
        }
        Task<(Measurement, Dictionary<string, double>)> WithOutboxAsync() => RoundAsync(throughGateway, users, drain: true);
        Task<(Measurement, Dictionary<string, double>)> LimitAsync() => RoundAsync(limit, users, drain: true);
        async Task<(Measurement, Dictionary<string, double>)> WithoutOutboxAsync()
        {
            await OutboxSwitch.LeaveOutAsync(ratingsDb);
            try
            {
                return await RoundAsync(withoutOutbox, silentUsers, drain: false);   // nothing to drain: no event was announced
            }
            finally
            {
                await OutboxSwitch.PutBackAsync(ratingsDb);
            }
        }
        for (var round = 1; round <= options.Rounds; round++)
        {
            await users.RefreshTokensAsync(gateway);
            // Odd rounds with the outbox first, even rounds without it first (the limit between them in both), so that a
            // machine speeding up or slowing down over the rounds favours neither side of the outbox ratio.
            Measurement with, without, bare;
            Dictionary<string, double> withCpu, withoutCpu, bareCpu;
            if (round % 2 == 1)
            {
                (with, withCpu) = await WithOutboxAsync();
                (bare, bareCpu) = await LimitAsync();
                (without, withoutCpu) = await WithoutOutboxAsync();
            }
            else
            {
                (without, withoutCpu) = await WithoutOutboxAsync();
                (bare, bareCpu) = await LimitAsync();
                (with, withCpu) = await WithOutboxAsync();
            }
            cpu.Add((withCpu, withoutCpu, bareCpu));
            rounds.Add((with, without, bare));
            Console.WriteLine($"  round {round}: {with}");
            Console.WriteLine($"  round {round}: {without}");
            Console.WriteLine($"  round {round}: {bare}");
            // Per round too: the rounds of one side differ more than the sides do, and the averages hide which process moved.
            Console.WriteLine($"  round {round}: CPU ms per write with the outbox: {CpuProfile.Format([withCpu])}");
        }

        await users.RefreshTokensAsync(gateway);
        using var yielding = KernelScheduler.YieldCores(options.ClientNice);
        // Not measured: the first seconds at the rate are the flat-out rounds' aftermath (autovacuum of their rows, the new
        // tokens' first checks), not the steady rate; in some runs their lag's p99 was several times the rest's.
        Console.WriteLine($"Settling: {options.Rate} writes/s through the gateway for {SettleLength.TotalSeconds:F0} s, not measured...");
        await WriteRunner.SteadyAsync(throughGateway, users, options.Rate, SettleLength, errors, (_, _) => Task.CompletedTask);
        Console.WriteLine($"Steady phase: {options.Rate} writes/s through the gateway for {options.Seconds} s...");
        var from = await ledger.OutboxPositionAsync();
        using var sampling = new CancellationTokenSource();
        // abortConnect=false: under --chaos Redis restarts in this phase, and the multiplexer reconnects by itself.
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"{await app.GetConnectionStringAsync("redis")},abortConnect=false");
        var backlog = SampleBacklogAsync(ledger, redis.GetDatabase(), sampling.Token);
        // From here, not from the start: the sign-ups and rounds above are a burst the steady phase is not.
        var memory = SampleWorkingSetsAsync(app, sampling.Token);
        var chaos = options.Chaos ? LoadChaos.RunAsync(app, TimeSpan.FromSeconds(options.Seconds)) : Task.CompletedTask;
        var steadyProfile = CpuProfile.Start(app);
        using var commitsRead = new CancellationTokenSource();
        var commits = ledger.ReadCommitsAsync(commitsRead.Token);
        var steady = await WriteRunner.SteadyAsync(throughGateway, users, options.Rate, TimeSpan.FromSeconds(options.Seconds), errors, ledger.NoteCommitAsync);
        await commitsRead.CancelAsync();
        await commits;
        await chaos;
        var upTo = await ledger.OutboxPositionAsync();
        await sampling.CancelAsync();
        var samples = await backlog;
        var workingSetSamples = await memory;
        Console.WriteLine($"  backlog every 5 s, events not yet sent by the relay + sent, not yet acknowledged by Catalog: {string.Join("  ", samples)}");
        var drained = await ledger.DrainAsync(DrainPatience);
        var steadyCpu = steadyProfile.PerWrite(steady.Requests);
        var lag = await ledger.LagsAsync(from, upTo);
        var lost = await LostWrites.CountAsync(ratingsDb, catalogDb, films);

        Console.WriteLine();
        await PostgresProfile.PrintAsync(ratingsDb);
        Console.WriteLine("CPU ms per acknowledged write, by process (relay and Catalog included up to the drain):");
        Console.WriteLine($"  through the gateway, with outbox:    {CpuProfile.Format(cpu.Select(c => c.With))}");
        Console.WriteLine($"  through the gateway, without outbox: {CpuProfile.Format(cpu.Select(c => c.Without))}");
        Console.WriteLine($"  the limit, bare Npgsql:              {CpuProfile.Format(cpu.Select(c => c.Limit))}");
        // At a steady rate each batch of the relay and the consumers is small, so a write costs more than flat out.
        Console.WriteLine($"  the steady phase, to its drain:      {CpuProfile.Format([steadyCpu])}");
        Print(rounds, steady, lag, lost, drained, errors, options);
        Console.WriteLine($"Working set, MB: after the start; then every {WorkingSetEvery.TotalSeconds:F0} s of the steady phase (after the sign-ups and rounds); after the drain:");
        foreach (var service in ServiceProcesses.Services)
        {
            Console.WriteLine($"  {service,-8} {workingSets[service]:F0} | {string.Join(" ", workingSetSamples.Select(s => s[service].ToString("F0", CultureInfo.InvariantCulture)))} | {ServiceProcesses.WorkingSetMb(app, service):F0}");
        }
        var writes = Rate(rounds.Select(r => r.With));
        var limitRate = Rate(rounds.Select(r => r.Limit));
        return string.Create(CultureInfo.InvariantCulture,
            $"load: writes_per_s={writes:F0} limit_per_s={limitRate:F0} ratio={writes / limitRate:F2} outbox_ratio={writes / Rate(rounds.Select(r => r.Without)):F2} " +
            $"lag_p50_ms={Ms(lag.Percentile(50))} lag_p99_ms={Ms(lag.Percentile(99))} lag_rate={steady.PerSecond:F0} lost={lost.Total + lag.Unapplied}");
    }

    private static void Print(List<(Measurement With, Measurement Without, Measurement Limit)> rounds, Measurement steady, LagReport lag, LostReport lost,
        bool drained, ErrorTally errors, LoadOptions options)
    {
        foreach (var (name, pick) in new (string, Func<(Measurement With, Measurement Without, Measurement Limit), Measurement>)[]
            { ("through the gateway, with outbox", r => r.With), ("through the gateway, without outbox", r => r.Without), ("the limit, bare Npgsql", r => r.Limit) })
        {
            var all = rounds.Select(pick).ToList();
            var merged = new Measurement(name, all.Sum(m => m.Requests), TimeSpan.FromTicks(all.Sum(m => m.Elapsed.Ticks)), [.. all.SelectMany(m => m.LatenciesMs)]);
            Console.WriteLine($"{merged}  (rounds: {string.Join(", ", all.Select(m => m.PerSecond.ToString("F0", CultureInfo.InvariantCulture)))})");
        }
        Console.WriteLine($"steady phase: {steady.Requests} writes acknowledged at {steady.PerSecond:F0}/s (offered {options.Rate}/s): " +
            $"p50 {steady.Percentile(50):F1} ms  p95 {steady.Percentile(95):F1} ms  p99 {steady.Percentile(99):F1} ms");
        Console.WriteLine($"event lag, commit in Ratings -> commit in Catalog, {lag.LagsMs.Length} events: p50 {Ms(lag.Percentile(50))} ms  p95 {Ms(lag.Percentile(95))} ms  " +
            $"p99 {Ms(lag.Percentile(99))} ms  max {Ms(lag.LagsMs.DefaultIfEmpty().Max())} ms; not applied {lag.Unapplied}" +
            (lag.UnknownCommitTimes > 0 ? $"; {lag.UnknownCommitTimes} timed from occurred_at (commit time not read)" : ""));
        Console.WriteLine($"  lag p99/max ms per 5 s of commit time: {string.Join("  ", lag.ByWindow(TimeSpan.FromSeconds(5)))}");
        Console.WriteLine($"  lag p50/p99 ms by stage: {lag.ByStage()}");
        Console.WriteLine($"  events per batch: {lag.Batches}");
        Console.WriteLine($"  the slowest 1 %: {lag.Slowest(TimeSpan.FromMilliseconds(100))}");
        Console.WriteLine($"after the run{(drained ? " drained" : $" did NOT drain within {DrainPatience.TotalMinutes:F0} min")}: lost (acknowledged, not in Catalog's statistics): " +
            $"{lost.Ratings} ratings (of {lost.RatingRows}), {lost.Wishes} wishes, {lost.Comments} comments; events never applied {lag.Unapplied}");
        Console.WriteLine($"failed writes (not acknowledged, not counted): {errors}");
        Console.WriteLine(BenchApp.Telemetry.Describe());
    }

    private static void Configure(IDistributedApplicationTestingBuilder builder, LoadOptions options)
    {
        // The same knob as ./eng/run.sh --relay: every service's outbox by the relay asked for.
        builder.Configuration["Parameters:events-relay"] = options.Relay;
        ConfigureForVirtualUsers(builder, PostgresProfile.ServerArgs);
    }

    /// <summary>
    /// What a benchmark that signs its virtual users up and times their events needs of the app (the load and scale
    /// benchmarks): sign-ups from one address past the gateway's anonymous limit and Accounts' limit per address (10 an
    /// hour), the per-user limits as deployed; and Postgres keeping commit times for <see cref="EventLedger"/>, with
    /// <paramref name="postgresArgs"/> besides.
    /// </summary>
    internal static void ConfigureForVirtualUsers(IDistributedApplicationTestingBuilder builder, string[] postgresArgs)
    {
        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "gateway"))
            .WithEnvironment("Gateway__RateLimits__AnonymousBurst", "1000000")
            .WithEnvironment("Gateway__RateLimits__AnonymousPerSecond", "1000000");
        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "accounts"))
            .WithEnvironment("Accounts__SignUpThrottle__MaxPerAddress", "1000000");
        builder.CreateResourceBuilder(builder.Resources.OfType<IResourceWithArgs>().Single(r => r.Name == "postgres"))
            .WithArgs([.. postgresArgs, .. EventLedger.ServerArgs]);
    }

    private static async Task<Measurement> DrainedAsync(Task<Measurement> round, EventLedger ledger)
    {
        var measured = await round;
        await DrainAsync(ledger);
        return measured;
    }

    private static async Task DrainAsync(EventLedger ledger)
    {
        if (!await ledger.DrainAsync(DrainPatience))
        {
            Console.WriteLine($"  the backbone did not drain within {DrainPatience.TotalMinutes:F0} min; {await ledger.BacklogAsync()} events still waiting for Catalog, {await ledger.SocialBacklogAsync()} for Social");
        }
    }

    /// <summary>
    /// Every 5 s of the steady phase: the outbox rows the relay has not sent (its partial index), and the entries
    /// Catalog's consumer group has not acknowledged, delivered or not, from Redis. Counting Catalog's inbox rows
    /// instead took 20–75 ms of Postgres a time over a table that grows all run, inside the phase whose lag this
    /// run measures (docs/performance.md, "The slowest events come in bursts"). The drain still counts the inbox:
    /// it is the exact answer, and no lag is measured then.
    /// </summary>
    private static async Task<List<string>> SampleBacklogAsync(EventLedger ledger, IDatabase redis, CancellationToken stop)
    {
        var samples = new List<string>();
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(5), stop);
                var unsent = await ledger.UnsentAsync();
                samples.Add($"{unsent}+{await NotAppliedAsync(redis)} ({await ledger.ConnectionsAsync()})");
            }
        }
        catch (OperationCanceledException)
        {
            return samples;
        }
    }

    /// <summary>Ratings' events on the stream that Catalog's group has not acknowledged: pending plus not yet delivered; "?" while Redis is away.</summary>
    private static async Task<string> NotAppliedAsync(IDatabase redis)
    {
        try
        {
            var groups = await redis.StreamGroupInfoAsync(new EventBusOptions().StreamPrefix + MovieStatisticsApplier.Topic);
            var group = groups.FirstOrDefault(g => g.Name == MovieStatisticsApplier.Subscription);
            // Redis leaves the lag out when it cannot know it (entries deleted from the stream's middle).
            return group.Name is null || group.Lag is not { } lag ? "?" : (group.PendingMessageCount + lag).ToString(CultureInfo.InvariantCulture);
        }
        catch (RedisException)
        {
            return "?";
        }
    }

    private static readonly TimeSpan WorkingSetEvery = TimeSpan.FromSeconds(30);

    /// <summary>Each service's working set now and every <see cref="WorkingSetEvery"/> until stopped: a trend needs more than two points.</summary>
    private static async Task<List<Dictionary<string, double>>> SampleWorkingSetsAsync(DistributedApplication app, CancellationToken stop)
    {
        var samples = new List<Dictionary<string, double>>();
        try
        {
            while (true)
            {
                samples.Add(ServiceProcesses.Services.ToDictionary(s => s, s => ServiceProcesses.WorkingSetMb(app, s)));
                await Task.Delay(WorkingSetEvery, stop);
            }
        }
        catch (OperationCanceledException)
        {
            return samples;
        }
    }

    private static double Rate(IEnumerable<Measurement> measurements)
    {
        var list = measurements.ToList();
        return list.Sum(m => m.Requests) / list.Sum(m => m.Elapsed.TotalSeconds);
    }

    private static string Ms(double value) => double.IsPositiveInfinity(value) ? "inf" : value.ToString("F0", CultureInfo.InvariantCulture);

    private static NpgsqlDataSource DataSource(string? connectionString, int poolSize) =>
        NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString ?? throw new InvalidOperationException("no connection string"))
        {
            MaxPoolSize = poolSize + 8,
            // As the services' pools run (Matcha.Data's Database): the limit pays no reset they skip, and its repeated
            // statements are prepared as theirs are.
            NoResetOnClose = true,
            MaxAutoPrepare = 64,
            AutoPrepareMinUsages = 2,
        }.ConnectionString);

    /// <summary>Waits for Catalog's films to reach Ratings' copy, and picks up to 500 released ones.</summary>
    /// <summary>
    /// The released films the writes go to, read once Ratings has its copy of every film in Catalog. Read while the seed's
    /// events were still arriving, the list held anything from 68 to 340 films from one run to the next, and with it how
    /// many rows each of Catalog's batches updates: runs side by side measured different workloads.
    /// </summary>
    internal static async Task<int[]> ReleasedFilmsAsync(NpgsqlDataSource ratingsDb, NpgsqlDataSource catalogDb)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        long copied, catalogued;
        while ((copied = await CountAsync(ratingsDb, "SELECT count(*) FROM movies")) < (catalogued = await CountAsync(catalogDb, "SELECT count(*) FROM movies")))
        {
            if (DateTime.UtcNow > deadline)
            {
                Console.WriteLine($"  Ratings has {copied} of Catalog's {catalogued} films after 2 min; going on with those");
                break;
            }
            await Task.Delay(500);
        }
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
        return ids.Count >= 20 ? [.. ids] : throw new InvalidOperationException($"Ratings has {ids.Count} released films; the benchmark needs 20.");
    }

    private static async Task<long> CountAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
