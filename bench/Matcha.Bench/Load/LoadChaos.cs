namespace Matcha.Bench.Load;

/// <summary>
/// The soak's faults, spread over the steady phase: Redis stopped and started (it runs without
/// persistence here, so it comes back empty), then Ratings and Catalog each killed with kill -9
/// and started again. Writes made while Ratings is down fail at the gateway and are not
/// acknowledged; everything acknowledged must still reach Catalog.
/// </summary>
internal static class LoadChaos
{
    public static async Task RunAsync(Aspire.Hosting.DistributedApplication app, TimeSpan length)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await At(clock, length * 0.2);
        await Step("Redis stopped and started empty", async () =>
        {
            await ServiceProcesses.StopAsync(app, "redis");
            await ServiceProcesses.StartAsync(app, "redis");
        });
        await At(clock, length * 0.45);
        await Step("Ratings killed (kill -9) and started", async () =>
        {
            await ServiceProcesses.KillAsync(app, "ratings");
            await ServiceProcesses.StartAsync(app, "ratings");
        });
        await At(clock, length * 0.7);
        await Step("Catalog killed (kill -9) and started", async () =>
        {
            await ServiceProcesses.KillAsync(app, "catalog");
            await ServiceProcesses.StartAsync(app, "catalog");
        });

        async Task Step(string what, Func<Task> fault)
        {
            var started = clock.Elapsed;
            await fault();
            Console.WriteLine($"  chaos at {started.TotalSeconds:F0} s: {what}, back in {(clock.Elapsed - started).TotalSeconds:F1} s");
        }
    }

    private static async Task At(System.Diagnostics.Stopwatch clock, TimeSpan when)
    {
        if (when > clock.Elapsed)
        {
            await Task.Delay(when - clock.Elapsed);
        }
    }
}
