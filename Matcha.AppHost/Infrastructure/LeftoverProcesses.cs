using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Matcha.AppHost.Infrastructure;

/// <summary>
/// Processes that an earlier run of the same data folder left behind. When the AppHost ends,
/// the orchestrator (dcp) stops what it started; but when both are killed at once (<c>kill -9</c>,
/// a CI job's timeout), Postgres, Redis, the services and the mail sink live on. The next start's
/// Postgres then finds its data folder locked ("lock file postmaster.pid already exists") and
/// exits, and every service waits for it for ever; a second Redis would append to the same file
/// as the first, and the old gateway holds the gateway's port.
/// <para>
/// Every process a run starts carries the data folder
/// (<see cref="LocalInfrastructure.DataDirectoryVariable"/>) and its AppHost's identity
/// (<see cref="OwnerVariable"/>) in its environment. Before a run starts anything, processes of
/// its folder whose AppHost is gone are stopped, the services first, then Postgres (a fast
/// shutdown) and Redis; and processes whose AppHost is alive stop this run with an error that
/// says so: two runs cannot share a folder.
/// </para>
/// </summary>
internal static class LeftoverProcesses
{
    /// <summary>The AppHost that started a process: <c>pid@start</c>, its start in clock ticks since boot, so a reused pid is not taken for it.</summary>
    public const string OwnerVariable = "MATCHA_APPHOST";

    /// <summary>How long stopped processes get to end before they are killed.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(20);

    private const int SigInt = 2;
    private const int SigKill = 9;
    private const int SigTerm = 15;

    /// <summary>This process as <see cref="OwnerVariable"/> names it.</summary>
    public static string CurrentOwner { get; } = IdentityOf(Environment.ProcessId) ?? Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    /// <summary>A process of a data folder: its parent, its name and the AppHost that started it (null when not marked).</summary>
    public sealed record Marked(int Pid, int ParentPid, string Name, string? Owner);

    /// <summary>Every process whose environment names <paramref name="dataRoot"/> (all of them as root; otherwise the caller's own).</summary>
    public static IReadOnlyList<Marked> Of(string dataRoot)
    {
        var marker = $"{LocalInfrastructure.DataDirectoryVariable}={dataRoot}";
        var found = new List<Marked>();
        if (!OperatingSystem.IsLinux())
        {
            return found;
        }
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            try
            {
                var environment = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                if (!environment.Contains(marker))
                {
                    continue;
                }
                var owner = environment.FirstOrDefault(e => e.StartsWith(OwnerVariable + "=", StringComparison.Ordinal))?[(OwnerVariable.Length + 1)..];
                if (ReadStat(pid) is { } stat)
                {
                    found.Add(new Marked(pid, stat.ParentPid, stat.Name, owner));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked, or is not ours to read.
            }
        }
        return found;
    }

    /// <summary>True while the process <paramref name="owner"/> names is running (the same pid, started at the same tick).</summary>
    public static bool IsAlive(string owner)
    {
        var pid = owner.Split('@')[0];
        return int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && IdentityOf(id) == owner;
    }

    /// <summary>
    /// Stops what earlier runs left running on <paramref name="dataRoot"/> and returns it; throws
    /// when a live AppHost still owns processes there.
    /// </summary>
    public static async Task<IReadOnlyList<Marked>> StopAsync(string dataRoot, ILogger logger, TimeSpan grace, CancellationToken cancellationToken)
    {
        var marked = Of(dataRoot);
        if (marked.Count == 0)
        {
            return marked;
        }
        if (marked.FirstOrDefault(p => p.Owner is { } owner && IsAlive(owner)) is { } owned)
        {
            throw new DistributedApplicationException(
                $"Another Matcha AppHost (process {owned.Owner!.Split('@')[0]}) is running on the data folder {dataRoot}: its {owned.Name} is process {owned.Pid}. " +
                "Two runs cannot share one folder. Stop that run first, or give this one a folder of its own with --Matcha:Infrastructure:DataDirectory=<folder>.");
        }

        // Signal the processes a run started, not their children: Postgres ends its own backends. The services and
        // the mail sink go first, while the servers they use are still there to end their work against; a service
        // is built to survive a kill, so one that is slow to stop is not waited for long.
        var pids = marked.Select(p => p.Pid).ToHashSet();
        var started = marked.Where(p => !pids.Contains(p.ParentPid)).ToList();
        var (servers, clients) = (started.Where(IsServer).ToList(), started.Where(p => !IsServer(p)).ToList());
        await StopAsync(clients, dataRoot, logger, TimeSpan.FromTicks(Math.Min(grace.Ticks, ClientGrace.Ticks)), cancellationToken);
        await StopAsync(servers, dataRoot, logger, grace, cancellationToken);
        // What a stopped process leaves (a killed Postgres' backends) ends with it; a new Postgres would not start beside them.
        var lastDeadline = DateTime.UtcNow + ClientGrace;
        while (Of(dataRoot).Count > 0 && DateTime.UtcNow < lastDeadline)
        {
            await Task.Delay(100, cancellationToken);
        }
        foreach (var process in Of(dataRoot))
        {
            logger.LogWarning("Killing {Name} (process {Pid}): it outlived the process that started it.", process.Name, process.Pid);
            Signal(process.Pid, SigKill);
        }
        return started;
    }

    /// <summary>How long a leftover service or mail sink gets to end before it is killed.</summary>
    private static readonly TimeSpan ClientGrace = TimeSpan.FromSeconds(5);

    /// <summary>Postgres, Redis, and the bash scripts that run a standby or a cluster of them (setpriv replaces itself with what it runs).</summary>
    private static bool IsServer(Marked process) => process.Name is "postgres" or "redis-server" or "bash";

    private static async Task StopAsync(List<Marked> processes, string dataRoot, ILogger logger, TimeSpan grace, CancellationToken cancellationToken)
    {
        foreach (var process in processes)
        {
            logger.LogWarning(
                "Stopping {Name} (process {Pid}): an earlier run on {DataFolder} left it running when its AppHost ended without stopping it.",
                process.Name, process.Pid, dataRoot);
            // SIGINT is Postgres's fast shutdown (clients disconnected, a clean checkpoint); SIGTERM would wait for its clients.
            Signal(process.Pid, process.Name == "postgres" ? SigInt : SigTerm);
        }

        var deadline = DateTime.UtcNow + grace;
        while (Running().Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, cancellationToken);
        }
        foreach (var process in Running())
        {
            logger.LogWarning("Killing {Name} (process {Pid}): it did not end within {Grace} s.", process.Name, process.Pid, grace.TotalSeconds);
            Signal(process.Pid, SigKill);
        }

        // A process that has ended (a zombie included) shows no environment, so it is no longer among the folder's.
        List<Marked> Running()
        {
            var alive = Of(dataRoot).Select(p => p.Pid).ToHashSet();
            return [.. processes.Where(p => alive.Contains(p.Pid))];
        }
    }

    private static void Signal(int pid, int signal)
    {
        // The process may have ended meanwhile (ESRCH): nothing is left to stop.
        _ = Kill(pid, signal);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    internal static string? IdentityOf(int pid) =>
        ReadStat(pid) is { } stat ? $"{pid.ToString(CultureInfo.InvariantCulture)}@{stat.StartTicks.ToString(CultureInfo.InvariantCulture)}" : null;

    /// <summary>From <c>/proc/PID/stat</c>: the name (field 2), the parent (field 4) and the start time (field 22).</summary>
    private static (string Name, int ParentPid, long StartTicks)? ReadStat(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // The name is in parentheses and may itself hold spaces or parentheses: the fields after it follow the last ')'.
        var open = stat.IndexOf('(', StringComparison.Ordinal);
        var close = stat.LastIndexOf(')');
        if (open < 0 || close < open)
        {
            return null;
        }
        var fields = stat[(close + 2)..].Split(' ');
        // fields[0] is field 3 (the state).
        return int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
            && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? (stat[(open + 1)..close], parent, start)
            : null;
    }
}
