using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting;

namespace Matcha.Bench.Load;

/// <summary>
/// Where the CPU went during a phase, per process, divided by the writes it acknowledged: on a
/// shared 2-core machine wall-clock latencies mostly measure the queue for a core, while CPU
/// time per write measures what each hop costs.
/// </summary>
internal sealed class CpuProfile
{
    private static readonly string[] Resources = [.. ServiceProcesses.Services, "postgres", "redis"];
    private readonly DistributedApplication _app;
    private readonly Dictionary<string, TimeSpan> _start;

    private CpuProfile(DistributedApplication app)
    {
        _app = app;
        _start = Snapshot();
    }

    public static CpuProfile Start(DistributedApplication app) => new(app);

    /// <summary>CPU milliseconds per write since <see cref="Start"/>, by process.</summary>
    public Dictionary<string, double> PerWrite(int writes)
    {
        var end = Snapshot();
        return end.ToDictionary(e => e.Key, e => (e.Value - _start[e.Key]).TotalMilliseconds / Math.Max(1, writes));
    }

    public static string Format(IEnumerable<Dictionary<string, double>> phases)
    {
        var list = phases.ToList();
        return string.Join("  ", Resources.Append("bench").Select(r =>
            string.Create(CultureInfo.InvariantCulture, $"{r} {list.Average(p => p[r]):F2}"))) +
            string.Create(CultureInfo.InvariantCulture, $"  total {list.Average(p => p.Values.Sum()):F2}");
    }

    private Dictionary<string, TimeSpan> Snapshot()
    {
        var snapshot = Resources.ToDictionary(r => r, r => ServiceProcesses.CpuTime(_app, r));
        snapshot["bench"] = Process.GetCurrentProcess().TotalProcessorTime;
        return snapshot;
    }
}
