using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Npgsql;

namespace Matcha.Bench.Load;

/// <summary>
/// <c>load --scale</c>: the load benchmark's writes through the gateway (ratings 70 %, wishlist
/// 20 %, comments 10 %, signed-in users) on a fresh Matcha with one process of each service, then
/// on another with two (<c>Matcha:Replicas=2</c>, as <c>./eng/run.sh --replicas 2</c>), each round
/// drained before the next. On a machine of two cores a second process of everything adds no
/// core to run on: the ratio measures what replicas cost (the proxy's hop, twice the pools,
/// relays and consumers meeting on the same rows), not what they would gain on more machines.
/// </summary>
internal static class ScaleBenchmark
{
    private static readonly int[] ReplicaCounts = [1, 2];
    private static readonly string[] Services = ["gateway", "accounts", "catalog", "ratings", "social", "postgres", "redis"];

    public static async Task<int> RunAsync(LoadOptions options)
    {
        var rates = new List<(int Replicas, double PerSecond, string Cpu)>();
        foreach (var replicas in ReplicaCounts)
        {
            rates.Add(await RunOneAsync(options, replicas));
        }
        Console.WriteLine();
        Console.WriteLine("Writes through the gateway, acknowledged per second, one Matcha after the other on the same machine:");
        foreach (var (replicas, perSecond, cpu) in rates)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {replicas} replica(s) of each service: {perSecond:F0}/s; CPU ms per write: {cpu}"));
        }
        Console.WriteLine($"  {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}: replicas here measure their overhead, not a gain.");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scale: r1_per_s={rates[0].PerSecond:F0} r2_per_s={rates[1].PerSecond:F0} ratio={rates[1].PerSecond / rates[0].PerSecond:F2}"));
        return 0;
    }

    private static async Task<(int, double, string)> RunOneAsync(LoadOptions options, int replicas)
    {
        Console.WriteLine($"Scale: {replicas} replica(s) of each service, {options.Users} users, concurrency {options.Concurrency}, " +
            $"{options.Rounds} rounds of {options.RoundLength.TotalSeconds:F0} s; starting Matcha...");
        await using var app = await BenchApp.StartAsync(resources: null, builder => Configure(builder, replicas));
        var instances = await InstancesAsync(app);
        await using var ratingsDb = NpgsqlDataSource.Create(await app.GetConnectionStringAsync("ratingsdb") ?? throw new InvalidOperationException("no ratingsdb"));
        await using var catalogDb = NpgsqlDataSource.Create(await app.GetConnectionStringAsync("catalogdb") ?? throw new InvalidOperationException("no catalogdb"));
        await using var socialDb = NpgsqlDataSource.Create(await app.GetConnectionStringAsync("socialdb") ?? throw new InvalidOperationException("no socialdb"));
        using var gateway = app.CreateHttpClient("gateway", "http");
        gateway.Timeout = TimeSpan.FromSeconds(30);
        var films = await LoadBenchmark.ReleasedFilmsAsync(ratingsDb, catalogDb);
        using var users = await VirtualUsers.SignUpAsync(gateway, options.Users, films);
        var ledger = new EventLedger(ratingsDb, catalogDb, socialDb);
        var writes = new GatewayWrites(gateway, $"gateway, {replicas} replica(s)");
        var errors = new ErrorTally();

        // As in the load benchmark: drained rounds until two in a row are within 10 % (one round was too short).
        Console.WriteLine("  warm-up: drained rounds until steady...");
        await Measurement.WarmUpAsync((writes.Name, async () =>
        {
            var measured = await WriteRunner.FlatOutAsync(writes, users, options.Concurrency, options.RoundLength, errors);
            await ledger.DrainAsync(TimeSpan.FromMinutes(3));
            return measured;
        }));
        var measured = new List<Measurement>();
        var cpu = new Dictionary<string, double>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            await users.RefreshTokensAsync(gateway);
            var before = Cpu(app, instances);
            var measurement = await WriteRunner.FlatOutAsync(writes, users, options.Concurrency, options.RoundLength, errors);
            await ledger.DrainAsync(TimeSpan.FromMinutes(3));
            foreach (var (service, used) in Cpu(app, instances))
            {
                cpu[service] = cpu.GetValueOrDefault(service) + (used - before[service]).TotalMilliseconds / Math.Max(1, measurement.Requests) / options.Rounds;
            }
            measured.Add(measurement);
            Console.WriteLine($"  round {round}: {measurement}");
        }
        Console.WriteLine($"  failed writes: {errors}");
        var perSecond = measured.Sum(m => m.Requests) / measured.Sum(m => m.Elapsed.TotalSeconds);
        return (replicas, perSecond, string.Join("  ", cpu.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value:F2}"))));
    }

    private static void Configure(IDistributedApplicationTestingBuilder builder, int replicas)
    {
        builder.Configuration["Matcha:Replicas"] = replicas.ToString(CultureInfo.InvariantCulture);
        LoadBenchmark.ConfigureForVirtualUsers(builder, postgresArgs: []);
    }

    /// <summary>The ids of every resource's processes (a resource with replicas has one per replica).</summary>
    private static async Task<Dictionary<string, List<string>>> InstancesAsync(DistributedApplication app)
    {
        var instances = Services.ToDictionary(s => s, _ => new List<string>());
        using var replay = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await foreach (var e in app.ResourceNotifications.WatchAsync(replay.Token))
            {
                if (instances.TryGetValue(e.Resource.Name, out var ids) && !ids.Contains(e.ResourceId))
                {
                    ids.Add(e.ResourceId);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        return instances;
    }

    private static Dictionary<string, TimeSpan> Cpu(DistributedApplication app, Dictionary<string, List<string>> instances) =>
        instances.ToDictionary(i => i.Key, i => i.Value.Aggregate(TimeSpan.Zero, (sum, id) => sum + ServiceProcesses.CpuTime(app, id)));
}
