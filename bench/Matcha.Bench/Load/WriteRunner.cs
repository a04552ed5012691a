using System.Collections.Concurrent;
using System.Diagnostics;

namespace Matcha.Bench.Load;

/// <summary>Drives a write target: flat out at a fixed concurrency, or at a steady rate.</summary>
internal static class WriteRunner
{
    /// <summary>Closed loop: <paramref name="concurrency"/> workers, each writing as soon as its last write was acknowledged.</summary>
    public static async Task<Measurement> FlatOutAsync(IWriteTarget target, VirtualUsers users, int concurrency, TimeSpan length, ErrorTally errors)
    {
        var latencies = new ConcurrentBag<double>();
        using var stop = new CancellationTokenSource(length);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (!users.TryNext(out var write))
                {
                    await Task.Yield();   // more workers than users
                    continue;
                }
                var started = Stopwatch.GetTimestamp();
                var written = await target.WriteAsync(write, CancellationToken.None);
                users.Release(write);
                if (written.Error is null)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    errors.Add(written.Error);
                }
            }
        })));
        return new Measurement(target.Name, latencies.Count, clock.Elapsed, [.. latencies]);
    }

    /// <summary>
    /// Open loop: a write is due every 1/<paramref name="rate"/> s whether or not earlier ones
    /// were acknowledged (a slow system gets a queue, not a lighter load). Each acknowledged
    /// write is handed to <paramref name="acknowledged"/>.
    /// </summary>
    public static async Task<Measurement> SteadyAsync(IWriteTarget target, VirtualUsers users, int rate, TimeSpan length, ErrorTally errors,
        Func<Write, Written, Task> acknowledged, CancellationToken cancellationToken = default)
    {
        var latencies = new ConcurrentBag<double>();
        var writes = new List<Task>();
        var total = (int)(rate * length.TotalSeconds);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total && !cancellationToken.IsCancellationRequested; i++)
        {
            // Read the clock once: read twice, the wait could turn negative in between (and Task.Delay throws).
            var wait = TimeSpan.FromSeconds((double)i / rate) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, CancellationToken.None);
            }
            writes.Add(Task.Run(async () =>
            {
                var write = await users.NextAsync();   // every user may have a write in flight: this one waits its turn
                var started = Stopwatch.GetTimestamp();
                var written = await target.WriteAsync(write, CancellationToken.None);
                var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (written.Error is null)
                {
                    latencies.Add(latency);
                    await acknowledged(write, written);
                }
                else
                {
                    errors.Add(written.Error);
                }
                users.Release(write);
            }, CancellationToken.None));
        }
        await Task.WhenAll(writes);
        return new Measurement(target.Name, latencies.Count, clock.Elapsed, [.. latencies]);
    }
}

/// <summary>Failed writes by kind, printed with the results: a benchmark that hides its errors measures the wrong thing.</summary>
internal sealed class ErrorTally
{
    private readonly ConcurrentDictionary<string, int> _counts = new();

    public void Add(string error) => _counts.AddOrUpdate(error, 1, (_, n) => n + 1);

    public int Total => _counts.Values.Sum();

    public override string ToString() => _counts.IsEmpty ? "none" : string.Join(", ", _counts.OrderBy(c => c.Key).Select(c => $"{c.Value} × {c.Key}"));
}
