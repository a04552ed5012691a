using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Matcha.EventBus;

/// <summary>One stage's last measurement, or why it could not be measured.</summary>
internal sealed record EventLagReading(EventLag? Lag, string? Error, DateTimeOffset MeasuredAt);

/// <summary>
/// Measures every stage of this service's backbone every <see cref="EventBusOptions.LagSampleInterval"/>
/// and keeps the last reading of each, for the <c>events</c> health check and two gauges the
/// dashboard plots: <c>matcha.events.waiting</c> (items) and <c>matcha.events.lag</c> (seconds the
/// oldest has waited), each tagged with its stage.
/// </summary>
internal sealed partial class EventLagMonitor : BackgroundService
{
    public const string MeterName = "Matcha.Events";

    private readonly IEnumerable<IEventLagSource> _sources;
    private readonly EventBusOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<EventLagMonitor> _logger;
    private readonly ConcurrentDictionary<string, EventLagReading> _readings = new();

    public EventLagMonitor(IEnumerable<IEventLagSource> sources, IOptions<EventBusOptions> options, IMeterFactory meters, TimeProvider clock, ILogger<EventLagMonitor> logger)
    {
        _sources = sources;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("matcha.events.waiting", () => Observe(lag => lag.Waiting), "{item}",
            "Events waiting at a stage of the backbone: outbox rows not yet relayed, or stream entries a subscription has not finished.");
        meter.CreateObservableGauge("matcha.events.lag", () => Observe(lag => lag.OldestWait.TotalSeconds), "s",
            "How long the oldest event waiting at a stage of the backbone has waited.");
    }

    public IReadOnlyDictionary<string, EventLagReading> Readings => _readings;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(_options.LagSampleInterval, _clock);
        do
        {
            foreach (var source in _sources)
            {
                try
                {
                    _readings[source.Stage] = new EventLagReading(await source.MeasureAsync(stoppingToken), null, _clock.GetUtcNow());
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    _readings[source.Stage] = new EventLagReading(null, ex.Message, _clock.GetUtcNow());
                    LogMeasureFailed(source.Stage, ex.Message);
                }
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private IEnumerable<Measurement<T>> Observe<T>(Func<EventLag, T> value) where T : struct =>
        _readings.Where(r => r.Value.Lag is not null)
            .Select(r => new Measurement<T>(value(r.Value.Lag!), new KeyValuePair<string, object?>("matcha.events.stage", r.Key)));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not measure the lag of {Stage}: {Error}")]
    private partial void LogMeasureFailed(string stage, string error);
}
