using System.Diagnostics;

namespace Matcha.Bench;

/// <summary>Latencies of one scenario and its throughput, measured with a fixed number of concurrent workers.</summary>
internal sealed record Measurement(string Name, int Requests, TimeSpan Elapsed, double[] LatenciesMs)
{
    public double PerSecond => Requests / Elapsed.TotalSeconds;

    public double Percentile(double p) => PercentileOf(LatenciesMs, p);

    public static double PercentileOf(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public override string ToString() =>
        $"{Name,-32} {Requests,6} req  {PerSecond,9:F0} req/s  p50 {Percentile(50),7:F2} ms  p95 {Percentile(95),7:F2} ms  p99 {Percentile(99),7:F2} ms";

    /// <summary>
    /// Sends every path once, <paramref name="concurrency"/> at a time. A request's latency ends
    /// when its body is buffered; <paramref name="inspect"/>, if given, then reads each answer
    /// (outside its latency).
    /// </summary>
    public static async Task<Measurement> RunAsync(
        string name, IReadOnlyList<string> paths, int concurrency, HttpClient client, Action<HttpResponseMessage, byte[]>? inspect = null)
    {
        var latencies = new double[paths.Count];
        var next = -1;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < paths.Count)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync(paths[i]);
                response.EnsureSuccessStatusCode();
                await response.Content.LoadIntoBufferAsync();
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (inspect is not null)
                {
                    inspect(response, await response.Content.ReadAsByteArrayAsync());
                }
            }
        }));
        return new Measurement(name, paths.Count, stopwatch.Elapsed, latencies);
    }

    /// <summary>
    /// Warms every side up with full passes, alternating, until each pass's throughput is within
    /// 10 % of the same side's pass before (at least 2, at most 6 passes a side). Five hundred
    /// requests were not enough: on a busy machine the JIT's second tier came rounds later, and the
    /// first measured round paid for it (CPU per request fell by half over five rounds).
    /// </summary>
    public static async Task WarmUpAsync(params (string Name, Func<Task<Measurement>> Pass)[] sides)
    {
        var last = new double[sides.Length];
        for (var pass = 1; pass <= 6; pass++)
        {
            var steady = true;
            for (var i = 0; i < sides.Length; i++)
            {
                var measured = await sides[i].Pass();
                Console.WriteLine($"  warm-up {pass}, {sides[i].Name}: {measured.PerSecond:F0} req/s" +
                    (measured.Requests > 0 ? $", p50 {measured.Percentile(50):F0} ms, p99 {measured.Percentile(99):F0} ms" : ""));
                steady &= pass > 1 && Math.Abs(measured.PerSecond - last[i]) <= 0.1 * last[i];
                last[i] = measured.PerSecond;
            }
            if (steady)
            {
                return;
            }
        }
    }
}
