using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Matcha.EventBus;

/// <summary>
/// Moves committed outbox rows to their Redis streams. Woken by the outbox trigger's NOTIFY,
/// and by a poll in case a notification was missed. Each batch is claimed with
/// <c>FOR UPDATE SKIP LOCKED</c>, so replicas share the work, and takes only the oldest unsent
/// row of each aggregate, so an aggregate's events reach the stream in the order they were
/// written even when two replicas relay at once. Rows are marked published in the claiming
/// transaction after Redis confirmed every XADD; a crash in between republishes them, which
/// consumers absorb through their inbox.
/// </summary>
internal sealed partial class OutboxRelay(
    NpgsqlDataSource dataSource,
    IConnectionMultiplexer redis,
    IOptions<EventBusOptions> options,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    // "The oldest unsent row of its aggregate" is asked as a per-row min() over
    // ix_outbox_messages_unsent_aggregate, not as NOT EXISTS: with an anti-join the planner
    // trusted statistics taken while almost every row was published (1 unsent row expected) and
    // scanned all unsent rows once per candidate. After a republish of 10,000 rows that made each
    // batch take seconds and held new events back for minutes (docs/events.md, "Failures").
    private const string ClaimSql = """
        SELECT o.id, o.event_id, o.topic, o.type, o.schema_version, o.aggregate_id, o.aggregate_version,
               o.occurred_at, o.trace_parent, o.trace_state, o.payload::text
        FROM outbox_messages o
        WHERE o.published_at IS NULL
          AND o.id = (SELECT min(e.id) FROM outbox_messages e
                      WHERE e.published_at IS NULL AND e.aggregate_id = o.aggregate_id)
        ORDER BY o.id
        LIMIT @batch
        FOR UPDATE SKIP LOCKED
        """;

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly EventBusOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var listening = ListenAsync(stoppingToken);
        var backoff = TimeSpan.Zero;
        var nextPrune = DateTimeOffset.UtcNow;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await RepublishIfRedisLostItsDataAsync(stoppingToken);
                    var published = await PublishBatchAsync(stoppingToken);
                    backoff = TimeSpan.Zero;
                    if (DateTimeOffset.UtcNow >= nextPrune)
                    {
                        await PruneAsync(stoppingToken);
                        nextPrune = DateTimeOffset.UtcNow + _options.PruneInterval;
                    }
                    if (published == 0)
                    {
                        await WaitForWorkAsync(stoppingToken);
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
                    LogRelayFailed(ex, backoff.TotalMilliseconds);
                    await Task.Delay(backoff, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await listening;
    }

    internal async Task<int> PublishBatchAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var rows = new List<EventEnvelope>();
        var topics = new List<string>();
        var ids = new List<long>();
        await using (var claim = new NpgsqlCommand(ClaimSql, connection, transaction))
        {
            claim.Parameters.AddWithValue("batch", _options.RelayBatchSize);
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetInt64(0));
                topics.Add(reader.GetString(2));
                rows.Add(new EventEnvelope(
                    Type: reader.GetString(3),
                    SchemaVersion: reader.GetInt32(4),
                    EventId: reader.GetGuid(1),
                    AggregateId: reader.GetString(5),
                    AggregateVersion: reader.GetInt64(6),
                    OccurredAt: reader.GetFieldValue<DateTimeOffset>(7),
                    TraceParent: reader.IsDBNull(8) ? null : reader.GetString(8),
                    TraceState: reader.IsDBNull(9) ? null : reader.GetString(9),
                    Payload: System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.JsonElement>(reader.GetString(10))));
            }
        }
        if (rows.Count == 0)
        {
            return 0;
        }

        var database = redis.GetDatabase();
        var spans = new List<Activity?>(rows.Count);
        var sends = new List<Task>(rows.Count);
        try
        {
            for (var i = 0; i < rows.Count; i++)
            {
                var row = rows[i];
                var span = EventTelemetry.Start($"{row.Type} publish", ActivityKind.Producer, row.TraceParent, row.TraceState);
                span?.SetTag("messaging.system", "redis");
                span?.SetTag("messaging.destination.name", _options.StreamKey(topics[i]));
                span?.SetTag("messaging.message.id", row.EventId.ToString());
                spans.Add(span);
                // Consumers continue the trace from the publish span when there is one.
                var envelope = span is null ? row : row with { TraceParent = span.Id, TraceState = span.TraceStateString };
                sends.Add(database.StreamAddAsync(_options.StreamKey(topics[i]), "envelope", envelope.ToJson(),
                    maxLength: _options.StreamMaxLength, useApproximateMaxLength: true));
            }
            Activity.Current = null;
            await Task.WhenAll(sends);
        }
        catch (Exception ex)
        {
            spans.ForEach(s => s.Failed(ex));
            throw;
        }
        finally
        {
            spans.ForEach(s => s?.Dispose());
            Activity.Current = null;
        }

        await using (var mark = new NpgsqlCommand("UPDATE outbox_messages SET published_at = now() WHERE id = ANY(@ids)", connection, transaction))
        {
            mark.Parameters.AddWithValue("ids", ids.ToArray());
            await mark.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        LogPublished(rows.Count);
        return rows.Count;
    }

    /// <summary>
    /// Redis holds a marker for this database's outbox. When it is missing, Redis has lost its
    /// data (restarted without persistence, failed over to an empty replica), and with it every
    /// event that was published but not yet consumed. Every row still kept is then published
    /// again; the consumers' inboxes and version checks make the repeats harmless. The first
    /// start against a new Redis does the same, which is just as harmless.
    /// </summary>
    internal async Task RepublishIfRedisLostItsDataAsync(CancellationToken cancellationToken)
    {
        var marker = $"{_options.StreamPrefix}outbox-marker:{new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).Database}";
        if (!await redis.GetDatabase().StringSetAsync(marker, DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture), when: When.NotExists))
        {
            return;
        }
        await using var reset = dataSource.CreateCommand("UPDATE outbox_messages SET published_at = NULL WHERE published_at IS NOT NULL");
        var republishing = await reset.ExecuteNonQueryAsync(cancellationToken);
        if (republishing > 0)
        {
            LogRepublishing(republishing);
        }
    }

    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        await using var prune = dataSource.CreateCommand("DELETE FROM outbox_messages WHERE published_at < now() - @retention");
        prune.Parameters.AddWithValue("retention", _options.OutboxRetention);
        var pruned = await prune.ExecuteNonQueryAsync(cancellationToken);
        if (pruned > 0)
        {
            LogPruned(pruned);
        }
    }

    private async Task WaitForWorkAsync(CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(_options.RelayPollInterval);
        try
        {
            await _wake.Reader.WaitToReadAsync(timeout.Token);
            _wake.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => _wake.Writer.TryWrite(true);
                await using (var listen = new NpgsqlCommand($"LISTEN {EventTablesModel.OutboxChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                // Anything committed while nobody listened is picked up now.
                _wake.Writer.TryWrite(true);
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogListenFailed(ex);
                try
                {
                    await Task.Delay(_options.MaxBackoff, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Outbox relay published {Count} event(s)")]
    private partial void LogPublished(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis lost the outbox marker (and so possibly unconsumed events): publishing {Count} kept row(s) again")]
    private partial void LogRepublishing(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox relay pruned {Count} published row(s)")]
    private partial void LogPruned(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay could not publish; retrying in {DelayMs} ms")]
    private partial void LogRelayFailed(Exception exception, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay lost its LISTEN connection; polling until it is back")]
    private partial void LogListenFailed(Exception exception);
}
