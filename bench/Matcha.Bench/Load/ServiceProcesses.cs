using System.Globalization;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Matcha.Bench.Load;

/// <summary>
/// The services' processes as the operating system sees them: which build each runs (the
/// <c>bin/{configuration}/</c> folder of its assembly), its working set, and kill -9. (The tests'
/// <c>Support/ServiceProcesses</c> does the same for xunit; the benchmark does not reference the tests.)
/// </summary>
internal static partial class ServiceProcesses
{
    public static readonly string[] Services = ["gateway", "accounts", "catalog", "ratings", "social"];

    /// <summary>e.g. "Release" (the folder its assembly was started from), or "unknown".</summary>
    public static string BuildConfiguration(DistributedApplication app, string resource)
    {
        foreach (var pid in Tree(app, resource))
        {
            var commandLine = Read($"/proc/{pid}/cmdline").Replace('\0', ' ');
            if (BinFolder().Match(commandLine) is { Success: true } match)
            {
                return match.Groups[1].Value;
            }
        }
        return "unknown";
    }

    /// <summary>Resident memory of the resource's processes, in MB.</summary>
    public static double WorkingSetMb(DistributedApplication app, string resource) =>
        Tree(app, resource).Sum(pid => Read($"/proc/{pid}/status").Split('\n')
            .Where(line => line.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Sum(line => double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture))) / 1024;

    /// <summary>
    /// CPU time the resource's processes have used (user + system), including children they
    /// reaped (Postgres's exited backends): the difference over a phase is what the phase cost it.
    /// </summary>
    public static TimeSpan CpuTime(DistributedApplication app, string resource) =>
        TimeSpan.FromSeconds(Tree(app, resource).Sum(pid => Read($"/proc/{pid}/stat") is { Length: > 0 } stat
            ? stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[11..15].Sum(ticks => long.Parse(ticks, CultureInfo.InvariantCulture))
            : 0) / 100.0);   // USER_HZ

    /// <summary>SIGKILL of the resource's processes; Aspire sees it exit, and <see cref="StartAsync"/> brings it back.</summary>
    public static async Task KillAsync(DistributedApplication app, string resource)
    {
        var victims = Tree(app, resource);
        foreach (var pid in victims)
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill();
            }
            catch (ArgumentException)
            {
            }
        }
        while (victims.Any(pid => Directory.Exists($"/proc/{pid}")))
        {
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// CPU time of the orchestrator (dcp) that started the resource: Aspire's proxies in front of every
    /// endpoint run in it, so a request through one costs it a copy each way.
    /// </summary>
    public static TimeSpan OrchestratorCpuTime(DistributedApplication app, string resource)
    {
        var root = Tree(app, resource).FirstOrDefault();
        if (root == 0 || Read($"/proc/{root}/stat") is not { Length: > 0 } stat)
        {
            return TimeSpan.Zero;
        }
        var parent = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1];
        return Read($"/proc/{parent}/stat") is { Length: > 0 } parentStat
            ? TimeSpan.FromSeconds(parentStat[(parentStat.LastIndexOf(')') + 2)..].Split(' ')[11..13].Sum(ticks => long.Parse(ticks, CultureInfo.InvariantCulture)) / 100.0)
            : TimeSpan.Zero;
    }

    public static async Task StopAsync(DistributedApplication app, string resource)
    {
        var before = Tree(app, resource);
        await app.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand);
        while (before.Any(pid => Directory.Exists($"/proc/{pid}")))
        {
            await Task.Delay(100);
        }
    }

    /// <summary>Starts a stopped or killed resource and waits until it is healthy (asking again if a start does not show).</summary>
    public static async Task StartAsync(DistributedApplication app, string resource)
    {
        for (var attempt = 1; ; attempt++)
        {
            await app.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand);
            try
            {
                using var showing = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await app.ResourceNotifications.WaitForResourceAsync(resource,
                    e => e.Snapshot.State?.Text is { } state && (state == KnownResourceStates.Starting || state == KnownResourceStates.Running), showing.Token);
                using var healthy = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, healthy.Token);
                return;
            }
            catch (OperationCanceledException) when (attempt < 3)
            {
                await Task.Delay(2000);
            }
        }
    }

    /// <summary>
    /// The pass, and what it cost each resource named and this client in CPU milliseconds per request, as
    /// "catalog 1.20 ms, postgres 0.64 ms, benchmark client 0.19 ms": unlike latency, it does not depend on how busy the machine was.
    /// </summary>
    public static async Task<(Measurement Pass, string Cpu)> WithCpuAsync(DistributedApplication app, string[] resources, Func<Task<Measurement>> pass)
    {
        var before = resources.Select(resource => CpuTime(app, resource)).Append(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime).ToArray();
        var measured = await pass();
        var after = resources.Select(resource => CpuTime(app, resource)).Append(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime).ToArray();
        return (measured, string.Join(", ", resources.Append("benchmark client").Select((name, i) =>
            string.Create(CultureInfo.InvariantCulture, $"{name} {(after[i] - before[i]).TotalMilliseconds / measured.Requests:F2} ms"))));
    }

    /// <summary>
    /// The resource's own HTTP address — the first http URL of the ASPNETCORE_URLS Aspire gave its process — behind no
    /// proxy of Aspire's (the orchestrator's TCP proxy in front of every endpoint, which a deployment does not have);
    /// null when its process is not found.
    /// </summary>
    public static Uri? OwnHttpAddress(DistributedApplication app, string resource) =>
        Tree(app, resource)
            .SelectMany(pid => Read($"/proc/{pid}/environ").Split('\0'))
            .Where(variable => variable.StartsWith("ASPNETCORE_URLS=", StringComparison.Ordinal))
            .SelectMany(variable => variable["ASPNETCORE_URLS=".Length..].Split(';'))
            .Where(url => url.StartsWith("http://", StringComparison.Ordinal))
            .Select(url => new Uri(url.Replace("+", "localhost", StringComparison.Ordinal).Replace("*", "localhost", StringComparison.Ordinal)))
            .FirstOrDefault();

    private static List<int> Tree(DistributedApplication app, string resource)
    {
        if (!app.ResourceNotifications.TryGetCurrentState(resource, out var state)
            || state.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is not { } value
            || !int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), out var root))
        {
            return [];
        }
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && Read(Path.Combine(directory, "stat")) is { Length: > 0 } stat)
            {
                // "pid (comm) state ppid ...": comm may contain spaces.
                parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
            }
        }
        var tree = new List<int> { root };
        for (var i = 0; i < tree.Count; i++)
        {
            tree.AddRange(parents.Where(p => p.Value == tree[i]).Select(p => p.Key));
        }
        return tree;
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    [GeneratedRegex(@"/bin/(Release|Debug)/")]
    private static partial Regex BinFolder();
}
