using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Matcha.EventBus;

/// <summary>
/// <c>events</c> in <c>/health</c>: Degraded while the oldest event waiting at any stage (the
/// outbox relay, or a subscription) has waited longer than <see cref="EventBusOptions.LagDegradedAfter"/>,
/// or while a stage cannot be measured. A relay or consumer that has stopped moving while work
/// waits shows here, and in the <c>matcha.events.lag</c> gauge, before users notice stale pages.
/// Degraded still answers 200: the service serves, its copies and statistics fall behind.
/// </summary>
internal sealed class EventBackboneHealthCheck(EventLagMonitor monitor, IOptions<EventBusOptions> options, TimeProvider clock) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var limit = options.Value.LagDegradedAfter;
        var stale = clock.GetUtcNow() - 3 * options.Value.LagSampleInterval;
        var problems = new List<string>();
        var data = new Dictionary<string, object>();
        foreach (var (stage, reading) in monitor.Readings.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            if (reading.Lag is not { } lag)
            {
                problems.Add($"{stage}: cannot be measured ({reading.Error})");
                continue;
            }
            data[stage] = $"{lag.Waiting} waiting, oldest {lag.OldestWait.TotalSeconds:0.0} s";
            if (reading.MeasuredAt < stale)
            {
                problems.Add($"{stage}: last measured at {reading.MeasuredAt:O}");
            }
            else if (lag.Waiting > 0 && lag.OldestWait > limit)
            {
                problems.Add($"{stage}: {lag.Waiting} waiting, the oldest for {lag.OldestWait.TotalSeconds:0} s");
            }
        }
        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy("Events are moving.", data)
            : HealthCheckResult.Degraded(string.Join("; ", problems), data: data));
    }
}
