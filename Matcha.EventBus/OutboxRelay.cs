using System.Diagnostics;
using System.Globalization;
using Matcha.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Matcha.EventBus;

/// <summary>
/// Moves committed outbox rows to their Redis streams. Woken when a transaction of this process that
/// wrote outbox rows commits (<see cref="OutboxWake"/>), and by a poll for rows written elsewhere
/// (another replica that stopped before relaying them, a tool). Each batch is claimed with
/// <c>FOR UPDATE SKIP LOCKED</c>, so replicas share the work, and takes only the oldest unsent
/// row of each aggregate, so an aggregate's events reach the stream in the order they were
/// written even when two replicas relay at once. Rows are marked published in the claiming
/// transaction after Redis confirmed every XADD; a crash in between republishes them, which
/// consumers absorb through their inbox.
/// </summary>
internal sealed partial class OutboxRelay(
    NpgsqlDataSource dataSource,
    IConnectionMultiplexer redis,
    OutboxWake wake,
    IOptions<EventBusOptions> options,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    // A claim is one statement, sent with the BEGIN that holds its locks. It reads the oldest
    // unsent rows in id order, on ix_outbox_messages_unsent, ids and aggregates only (the
    // candidates). An aggregate's older unsent rows come before its newer ones in that order, so
    // the smallest id of each aggregate among them is that aggregate's oldest: those are the rows
    // to send. It then locks a batch of them by primary key and reads them whole. SKIP LOCKED
    // passes by rows another replica holds, and twice a batch is offered so that a second replica
    // finds work past the first one's batch; a row another replica published in between comes
    // back marked and is left out. The candidates' count comes with every row: a batch that left
    // some of them behind looks again at once.
    //
    // One statement that asked for each row whether an older unsent row of its aggregate existed
    // (a per-row min(id) over an index of each aggregate's unsent rows, dropped since; before that NOT EXISTS) had a
    // plan that hung on the planner's estimate of unsent rows, taken from statistics gathered
    // while almost all were published: it walked every older unsent row once per candidate, 40-70
    // times the cost of the plan it was written for (docs/performance.md, "The relay's claim").
    // Here the candidates are a materialised, limited read of the partial index, the aggregates'
    // oldest are found among those rows only, and both are computed once (init plans) before the
    // lock's lookups by primary key: no choice is left that depends on how many rows are unsent.
    // No published_at condition on the locked rows: with one, the planner could again prefer
    // reading every unsent row.
    private const string ClaimSql = """
        WITH candidates AS MATERIALIZED (
            SELECT id, aggregate_id FROM outbox_messages
            WHERE published_at IS NULL
            ORDER BY id
            LIMIT $1
        )
        SELECT id, event_id, topic, type, schema_version, aggregate_id, aggregate_version,
               occurred_at, trace_parent, trace_state, payload::text, published_at IS NULL,
               (SELECT count(*) FROM candidates)
        FROM outbox_messages
        WHERE id = ANY(ARRAY(SELECT min(id) FROM candidates GROUP BY aggregate_id ORDER BY 1 LIMIT $2))
        ORDER BY id
        LIMIT $3
        FOR UPDATE SKIP LOCKED
        """;

    /// <summary>Candidates read per claim, per row the claim may take: room for aggregates with several unsent rows.</summary>
    private const int CandidatesPerClaimedRow = 5;

    /// <summary>Oldest rows offered to the claim's lock, per row it may take: room to pass another replica's batch.</summary>
    private const int OfferedPerClaimedRow = 2;

    private const string RepublishSql = """
        SELECT id, event_id, topic, type, schema_version, aggregate_id, aggregate_version,
               occurred_at, trace_parent, trace_state, payload::text
        FROM outbox_messages
        WHERE published_at IS NOT NULL AND id > @after AND id <= @upTo
        ORDER BY id
        LIMIT @batch
        """;

    private readonly EventBusOptions _options = options.Value;
    private RepublishPass? _republish;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var backoff = TimeSpan.Zero;
        var nextPrune = DateTimeOffset.UtcNow;
        var nextMarkerCheck = DateTimeOffset.UtcNow;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    // Whether Redis lost its data is asked once a poll interval, not at every batch: at 200 writes/s
                    // the relay is woken for nearly every write, and the marker's EXISTS was a Redis round trip each.
                    var republished = 0;
                    if (_republish is not null || DateTimeOffset.UtcNow >= nextMarkerCheck)
                    {
                        republished = await RepublishStepAsync(stoppingToken);
                        nextMarkerCheck = DateTimeOffset.UtcNow + _options.RelayPollInterval;
                    }
                    var batch = await PublishBatchAsync(stoppingToken);
                    backoff = TimeSpan.Zero;
                    if (DateTimeOffset.UtcNow >= nextPrune)
                    {
                        await PruneAsync(stoppingToken);
                        nextPrune = DateTimeOffset.UtcNow + _options.PruneInterval;
                    }
                    // A batch that took every unsent row it saw leaves nothing to look for until the next wake: a row this
                    // process commits later wakes the relay after its commit, and one written elsewhere waits for the poll.
                    // Looking again at once found nothing in nearly every case at a steady rate, for two round trips.
                    if ((batch.Published == 0 || !batch.More) && republished == 0)
                    {
                        await wake.Signal.WaitAsync(_options.RelayPollInterval, stoppingToken);
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
    }

    internal async Task<RelayBatch> PublishBatchAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // BEGIN goes with the claim and COMMIT with the mark, so a batch costs two round trips to Postgres and the
        // XADDs between them (StatementTransaction); a failure (Redis's, mostly) rolls back before the connection
        // returns to the pool. A look that finds nothing, what a poll of an idle outbox does, is the claim's round trip
        // and a ROLLBACK.
        List<OutboxRow> rows;
        int candidates;
        try
        {
            await using (var claim = new NpgsqlBatch(connection))
            {
                claim.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
                claim.BatchCommands.Add(Statements.Command(ClaimSql,
                    _options.RelayBatchSize * CandidatesPerClaimedRow, _options.RelayBatchSize * OfferedPerClaimedRow, _options.RelayBatchSize));
                (rows, candidates) = await ReadClaimAsync(claim, cancellationToken);
            }
            if (rows.Count == 0)
            {
                await StatementTransaction.RollBackAsync(connection);
                // Nothing unsent, or every candidate held by another replica: either way the next wake or poll looks again.
                return new RelayBatch(0, More: false);
            }

            await PublishAsync(rows);

            await using var mark = new NpgsqlBatch(connection);
            mark.BatchCommands.Add(Statements.Command("UPDATE outbox_messages SET published_at = now() WHERE id = ANY($1)", rows.Select(r => r.Id).ToArray()));
            mark.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            await mark.ExecuteNonQueryAsync(cancellationToken);
        }
        catch
        {
            await StatementTransaction.RollBackAsync(connection);
            throw;
        }
        LogPublished(rows.Count);
        return new RelayBatch(rows.Count, More: candidates > rows.Count);
    }

    /// <summary>
    /// The claimed rows still unsent, and how many unsent rows the claim saw: more than the batch publishes when an
    /// aggregate had several, another replica held some, or the read was cut (zero when the claim locked nothing).
    /// </summary>
    private static async Task<(List<OutboxRow> Rows, int Candidates)> ReadClaimAsync(NpgsqlBatch claim, CancellationToken cancellationToken)
    {
        var candidates = 0;
        var rows = await ReadRowsAsync(claim.ExecuteReaderAsync(cancellationToken), cancellationToken, onlyUnsent: true,
            onRow: reader => candidates = (int)reader.GetInt64(12));
        return (rows, candidates);
    }

    /// <summary>
    /// XADDs the rows with a publish span each (the child of the request that wrote the row), and
    /// returns once Redis confirmed them all. The change-data-capture relay publishes through this too.
    /// </summary>
    internal async Task PublishAsync(List<OutboxRow> rows)
    {
        var spans = new List<Activity?>(rows.Count);
        try
        {
            await SendAsync(rows, row =>
            {
                var span = EventTelemetry.Start($"{row.Envelope.Type} publish", ActivityKind.Producer, row.Envelope.TraceParent, row.Envelope.TraceState);
                span?.SetTag("messaging.system", "redis");
                span?.SetTag("messaging.destination.name", _options.StreamKey(row.Topic));
                span?.SetTag("messaging.message.id", row.Envelope.EventId.ToString());
                spans.Add(span);
                // Consumers continue the trace from the publish span when there is one.
                return span is null ? row.Envelope : row.Envelope with { TraceParent = span.Id, TraceState = span.TraceStateString };
            });
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
    }

    /// <summary>
    /// Redis holds a marker for this database's outbox. When it is missing, Redis has lost its
    /// data (restarted without persistence, failed over to an empty replica), and with it every
    /// event that was published but not yet consumed. Every row kept as published is then sent
    /// again, a batch per turn of the loop, beside the normal claims, so events written from now
    /// on do not queue behind a day of repeats; the consumers' inboxes and version checks make
    /// the repeats harmless, in whatever order they arrive. The marker is set only when a pass
    /// has ended and Redis still holds the key the pass started with: a relay that crashes, or a
    /// Redis that loses its data again mid-pass, leaves it missing and the pass starts over. The
    /// first start against a new Redis does the same, which is just as harmless. Replicas each
    /// make a pass of their own (more repeats, no harm).
    /// </summary>
    internal async Task<int> RepublishStepAsync(CancellationToken cancellationToken)
    {
        var database = redis.GetDatabase();
        if (_republish is null)
        {
            if (await database.KeyExistsAsync(MarkerKey))
            {
                return 0;
            }
            // Up to the newest row, sent or not: one another replica is marking sent right now is included.
            await using var size = dataSource.CreateCommand("SELECT count(*) FILTER (WHERE published_at IS NOT NULL), coalesce(max(id), 0) FROM outbox_messages");
            await using (var reader = await size.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                _republish = new RepublishPass($"{MarkerKey}:pass:{Guid.NewGuid():N}", After: 0, UpTo: reader.GetInt64(1));
                if (reader.GetInt64(0) > 0)
                {
                    LogRepublishing(reader.GetInt64(0));
                }
            }
            await database.StringSetAsync(_republish.Key, "1", TimeSpan.FromDays(7));   // outlives any pass; gone with the data if Redis loses it
        }

        List<OutboxRow> rows;
        await using (var batch = dataSource.CreateCommand(RepublishSql))
        {
            batch.Parameters.AddWithValue("after", _republish.After);
            batch.Parameters.AddWithValue("upTo", _republish.UpTo);
            batch.Parameters.AddWithValue("batch", _options.RepublishBatchSize);
            rows = await ReadRowsAsync(batch.ExecuteReaderAsync(cancellationToken), cancellationToken);
        }
        if (rows.Count > 0)
        {
            await SendAsync(rows, row => row.Envelope);
            _republish = _republish with { After = rows[^1].Id };
            return rows.Count;
        }

        if (await database.KeyDeleteAsync(_republish.Key))
        {
            await database.StringSetAsync(MarkerKey, DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        }
        _republish = null;   // done, or Redis lost the pass's key too: then the marker is still missing and a new pass starts
        return 0;
    }

    /// <summary>Reads outbox rows; with <paramref name="onlyUnsent"/>, a twelfth column says whether the row is still unsent, and sent ones are left out.</summary>
    private static async Task<List<OutboxRow>> ReadRowsAsync(Task<NpgsqlDataReader> execute, CancellationToken cancellationToken,
        bool onlyUnsent = false, Action<NpgsqlDataReader>? onRow = null)
    {
        var rows = new List<OutboxRow>();
        await using var reader = await execute;
        while (await reader.ReadAsync(cancellationToken))
        {
            onRow?.Invoke(reader);
            if (onlyUnsent && !reader.GetBoolean(11))
            {
                continue;
            }
            rows.Add(new OutboxRow(reader.GetInt64(0), reader.GetString(2), new EventEnvelope(
                Type: reader.GetString(3),
                SchemaVersion: reader.GetInt32(4),
                EventId: reader.GetGuid(1),
                AggregateId: reader.GetString(5),
                AggregateVersion: reader.GetInt64(6),
                OccurredAt: reader.GetFieldValue<DateTimeOffset>(7),
                TraceParent: reader.IsDBNull(8) ? null : reader.GetString(8),
                TraceState: reader.IsDBNull(9) ? null : reader.GetString(9),
                Payload: System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.JsonElement>(reader.GetString(10)))));
        }
        return rows;
    }

    /// <summary>XADDs every row to its topic's stream, pipelined, and returns once Redis confirmed them all.</summary>
    private async Task SendAsync(List<OutboxRow> rows, Func<OutboxRow, EventEnvelope> envelopeOf)
    {
        var database = redis.GetDatabase();
        var sends = new List<Task>(rows.Count);
        foreach (var row in rows)
        {
            sends.Add(database.StreamAddAsync(_options.StreamKey(row.Topic), "envelope", envelopeOf(row).ToJson(),
                maxLength: _options.StreamMaxLength, useApproximateMaxLength: true));
        }
        Activity.Current = null;
        await Task.WhenAll(sends);
        // Wakes the topic's consumers at once instead of at their next poll (EventConsumer.WakeChannel);
        // a wake that is lost costs only the poll interval.
        var subscriber = redis.GetSubscriber();
        foreach (var topic in rows.Select(r => r.Topic).Distinct())
        {
            await subscriber.PublishAsync(EventConsumer.WakeChannel(_options.StreamKey(topic)), RedisValue.EmptyString, CommandFlags.FireAndForget);
        }
    }

    private string MarkerKey => field ??= $"{_options.StreamPrefix}outbox-marker:{new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).Database}";


    /// <summary>
    /// What one claim did: the rows it published, and whether unsent rows were left that it saw (an aggregate's later
    /// rows, rows another replica held, rows past the batch), so that the relay looks again before it waits.
    /// </summary>
    internal readonly record struct RelayBatch(int Published, bool More);

    /// <summary>A republish in progress: rows with ids in (After, UpTo] are still to be sent again; Key is its key in Redis.</summary>
    private sealed record RepublishPass(string Key, long After, long UpTo);

    /// <summary>
    /// Deletes the oldest rows, in key order, up to the first row still kept: one unsent, or published within the
    /// retention. The walk is along the key from its start, so it reads the rows it deletes and one more; the outbox has
    /// no index of the publication time (<see cref="EventTablesModel.DropOutboxTimeOrderedIndexes"/>). Rows are published
    /// in about the order of their keys, so this is the rows published before the retention, give or take the few
    /// moments around the first one kept; and while a row stays unsent, nothing after it is pruned.
    /// </summary>
    internal async Task PruneAsync(CancellationToken cancellationToken)
    {
        await using var prune = dataSource.CreateCommand("""
            DELETE FROM outbox_messages WHERE id < coalesce(
                (SELECT id FROM outbox_messages WHERE published_at IS NULL OR published_at >= now() - @retention ORDER BY id LIMIT 1),
                (SELECT max(id) + 1 FROM outbox_messages))
            """);
        prune.Parameters.AddWithValue("retention", _options.OutboxRetention);
        var pruned = await prune.ExecuteNonQueryAsync(cancellationToken);
        if (pruned > 0)
        {
            LogPruned(pruned);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Outbox relay published {Count} event(s)")]
    private partial void LogPublished(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis lost the outbox marker (and so possibly unconsumed events): publishing {Count} kept row(s) again, beside new ones")]
    private partial void LogRepublishing(long count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox relay pruned {Count} published row(s)")]
    private partial void LogPruned(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay could not publish; retrying in {DelayMs} ms")]
    private partial void LogRelayFailed(Exception exception, double delayMs);
}

/// <summary>An outbox row on its way to its topic's stream.</summary>
internal sealed record OutboxRow(long Id, string Topic, EventEnvelope Envelope);
