namespace Matcha.EventBus;

/// <summary>Tuning for the relay and the consumers; the defaults suit a development machine and the tests.</summary>
public sealed class EventBusOptions
{
    public const string Section = "Events";

    /// <summary>Each producer's topic <c>t</c> is the Redis stream <c>{StreamPrefix}{t}</c>.</summary>
    public string StreamPrefix { get; set; } = "matcha:events:";

    /// <summary>Approximate cap of a stream's length; far above what any consumer lags behind.</summary>
    public long StreamMaxLength { get; set; } = 1_000_000;

    public int RelayBatchSize { get; set; } = 200;

    /// <summary>Rows sent again per turn of the relay's loop after Redis lost its data (between two normal batches).</summary>
    public int RepublishBatchSize { get; set; } = 1000;

    /// <summary>The fallback when a NOTIFY is missed (for instance while the LISTEN connection reconnects).</summary>
    public TimeSpan RelayPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest pause between attempts while Redis or Postgres is unreachable.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long published outbox rows are kept (for inspection) before the relay deletes them.</summary>
    public TimeSpan OutboxRetention { get; set; } = TimeSpan.FromDays(1);

    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromMinutes(5);

    public int ConsumerBatchSize { get; set; } = 100;

    /// <summary>StackExchange.Redis cannot block on XREADGROUP, so an idle consumer asks this often.</summary>
    public TimeSpan ConsumerPollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>An entry pending this long (its consumer crashed, or its applier failed) is claimed again.</summary>
    public TimeSpan ReclaimAfter { get; set; } = TimeSpan.FromSeconds(3);

    public TimeSpan ReclaimInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Deliveries of one message before it moves to the dead-letter stream.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>How often the relay's and each subscription's lag is measured (for /health and the gauges).</summary>
    public TimeSpan LagSampleInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>/health reports Degraded while an event has waited longer than this at any stage.</summary>
    public TimeSpan LagDegradedAfter { get; set; } = TimeSpan.FromSeconds(10);

    internal string StreamKey(string topic) => StreamPrefix + topic;

    internal string DeadLetterKey(string topic, string subscription) => $"{StreamPrefix}{topic}:dead-letters:{subscription}";

    internal bool IsValid() =>
        !string.IsNullOrWhiteSpace(StreamPrefix) && StreamMaxLength > 0 && RelayBatchSize > 0 && RepublishBatchSize > 0 && ConsumerBatchSize > 0
        && MaxAttempts > 0 && RelayPollInterval > TimeSpan.Zero && MaxBackoff > TimeSpan.Zero && ConsumerPollInterval > TimeSpan.Zero
        && ReclaimAfter > TimeSpan.Zero && ReclaimInterval > TimeSpan.Zero
        && LagSampleInterval > TimeSpan.Zero && LagDegradedAfter > TimeSpan.Zero && OutboxRetention >= TimeSpan.Zero && PruneInterval > TimeSpan.Zero;
}
