namespace Matcha.EventBus;

/// <summary>Tuning for the relay and the consumers; the defaults suit a development machine and the tests.</summary>
public sealed class EventBusOptions
{
    public const string Section = "Events";

    /// <summary>How committed outbox rows are found: the outbox table (woken by this process's commits, and polling) or change data capture.</summary>
    public RelayKind Relay { get; set; } = RelayKind.Notify;

    /// <summary>The change-data-capture relay commits a tiny transaction this often, so its slot advances while no event is written.</summary>
    public TimeSpan CdcHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>WAL its replication slot retains past which <c>events-slot</c> in /health says Degraded.</summary>
    public long SlotDegradedBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Past this, Unhealthy: close to the server's <c>max_slot_wal_keep_size</c> (1 GB in the AppHost),
    /// beyond which Postgres invalidates the slot (docs/events.md, "Change data capture").
    /// </summary>
    public long SlotUnhealthyBytes { get; set; } = 768L * 1024 * 1024;

    /// <summary>Each producer's topic <c>t</c> is the Redis stream <c>{StreamPrefix}{t}</c>.</summary>
    public string StreamPrefix { get; set; } = "matcha:events:";

    /// <summary>Approximate cap of a stream's length; far above what any consumer lags behind.</summary>
    public long StreamMaxLength { get; set; } = 1_000_000;

    public int RelayBatchSize { get; set; } = 200;

    /// <summary>Rows sent again per turn of the relay's loop after Redis lost its data (between two normal batches).</summary>
    public int RepublishBatchSize { get; set; } = 1000;

    /// <summary>How often the table relay looks for rows it was not woken for: written by another process (a replica that stopped before relaying them, a tool).</summary>
    public TimeSpan RelayPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest pause between attempts while Redis or Postgres is unreachable.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long published outbox rows are kept (for inspection, and to send again should Redis lose its data) before the
    /// relay deletes them, oldest key first up to the first row still kept (<see cref="OutboxRelay.PruneAsync"/>).
    /// </summary>
    public TimeSpan OutboxRetention { get; set; } = TimeSpan.FromDays(1);

    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromMinutes(5);

    public int ConsumerBatchSize { get; set; } = 100;

    /// <summary>
    /// StackExchange.Redis cannot block on XREADGROUP, so an idle consumer asks this often. It is the fallback only: the
    /// relays' wake reaches an idle consumer at once, and a wake can only be lost with the connection, after which the
    /// consumer reads at once too. At 100 ms the polls cost an idle service about a fifth of its CPU (docs/performance.md).
    /// </summary>
    public TimeSpan ConsumerPollInterval { get; set; } = TimeSpan.FromSeconds(1);

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

    /// <summary>
    /// A subscription's dead letters, <c>{matcha:events:t}:dead-letters:s</c>: the braces make the
    /// stream's whole key the hash tag, so on a Redis Cluster both keys live in one slot and a
    /// dead letter moves (XADD here, XACK there) in one MULTI/EXEC. The stream's own key is unchanged.
    /// </summary>
    internal string DeadLetterKey(string topic, string subscription) => $"{{{StreamKey(topic)}}}:dead-letters:{subscription}";

    internal bool IsValid() =>
        !string.IsNullOrWhiteSpace(StreamPrefix) && StreamMaxLength > 0 && RelayBatchSize > 0 && RepublishBatchSize > 0 && ConsumerBatchSize > 0
        && MaxAttempts > 0 && RelayPollInterval > TimeSpan.Zero && MaxBackoff > TimeSpan.Zero && ConsumerPollInterval > TimeSpan.Zero
        && ReclaimAfter > TimeSpan.Zero && ReclaimInterval > TimeSpan.Zero
        && CdcHeartbeatInterval > TimeSpan.Zero && SlotDegradedBytes > 0 && SlotUnhealthyBytes >= SlotDegradedBytes
        && LagSampleInterval > TimeSpan.Zero && LagDegradedAfter > TimeSpan.Zero && OutboxRetention >= TimeSpan.Zero && PruneInterval > TimeSpan.Zero;
}

/// <summary>Which relay moves a service's outbox to Redis (<c>Events:Relay</c>).</summary>
public enum RelayKind
{
    /// <summary><see cref="OutboxRelay"/>: claims unsent rows from the table, notified in process by this service's commits (<see cref="OutboxWake"/>), polling as a fallback.</summary>
    Notify,

    /// <summary><see cref="CdcRelay"/>: reads committed rows from the write-ahead log through a replication slot.</summary>
    Cdc,
}
