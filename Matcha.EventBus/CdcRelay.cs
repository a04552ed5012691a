using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using NpgsqlTypes;

namespace Matcha.EventBus;

/// <summary>
/// Moves committed outbox rows to their Redis streams by change data capture: Postgres decodes
/// the outbox table's inserts from its write-ahead log (<c>pgoutput</c>, publication
/// <see cref="OutboxReplication.Publication"/>) and streams them, in commit order, through a
/// replication slot of this database's own. Nothing polls and nothing needs a wake-up.
/// <para>
/// A batch of committed rows is marked published (skipping any another relay already sent),
/// XADDed through <see cref="OutboxRelay.PublishAsync"/> (the same envelope, ids and spans), the
/// mark committed, and only then is the slot told the batch's end LSN: a crash anywhere before
/// that replays the batch from the slot, and the consumers' inboxes absorb the repeats.
/// </para>
/// <para>
/// A slot streams to one reader at a time, so replicas take turns: the others find it active and
/// wait. The slot cannot remember what was committed before it existed, or while it was
/// invalidated (it retained more WAL than <c>max_slot_wal_keep_size</c>), so each time a relay
/// takes the slot it first publishes the table's unsent rows the way <see cref="OutboxRelay"/> does.
/// </para>
/// </summary>
internal sealed partial class CdcRelay(
    OutboxReplication replication,
    NpgsqlDataSource dataSource,
    OutboxRelay table,
    IOptions<EventBusOptions> options,
    ILogger<CdcRelay> logger) : BackgroundService
{
    private readonly EventBusOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var upkeep = UpkeepAsync(stoppingToken);
        var backoff = TimeSpan.Zero;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await StreamAsync(stoppingToken);
                    // Another relay holds the slot: ask again shortly, it may be gone.
                    backoff = TimeSpan.Zero;
                    await Task.Delay(_options.RelayPollInterval, stoppingToken);
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ObjectInUse && !stoppingToken.IsCancellationRequested)
                {
                    LogSlotActive(replication.Slot);
                    await Task.Delay(_options.RelayPollInterval, stoppingToken);
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
        await upkeep;
    }

    /// <summary>One turn holding the slot: returns at once if another relay holds it, else streams until something fails.</summary>
    internal async Task StreamAsync(CancellationToken cancellationToken)
    {
        await EnsurePublicationAsync(cancellationToken);
        if (!await EnsureSlotAsync(cancellationToken))
        {
            LogSlotActive(replication.Slot);
            return;
        }

        // Rows committed while no slot existed (or while it was invalidated), and rows this relay's
        // predecessor streamed but did not mark, are in the table; the stream then skips them as sent.
        // Every such row is older than the slot's stream, so none may stay behind: rows another relay
        // holds (SKIP LOCKED passes them by) are waited for, or the stream could overtake them.
        await using var newest = dataSource.CreateCommand("SELECT coalesce(max(id), 0) FROM outbox_messages");
        var upTo = (long)(await newest.ExecuteScalarAsync(cancellationToken))!;
        await using var left = dataSource.CreateCommand("SELECT EXISTS (SELECT FROM outbox_messages WHERE published_at IS NULL AND id <= @upTo)");
        left.Parameters.AddWithValue("upTo", upTo);
        var swept = 0;
        while ((bool)(await left.ExecuteScalarAsync(cancellationToken))!)
        {
            var batch = await table.PublishBatchAsync(cancellationToken);
            swept += batch.Published;
            if (batch.Published == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }
        }
        if (swept > 0)
        {
            LogSwept(swept);
        }

        await using var connection = new LogicalReplicationConnection(replication.ConnectionString)
        {
            // Npgsql reports the applied LSN this often; the slot frees WAL up to it.
            WalReceiverStatusInterval = TimeSpan.FromSeconds(1),
        };
        await connection.Open(cancellationToken);
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var committed = Channel.CreateBounded<CommittedRows>(new BoundedChannelOptions(1_000) { SingleReader = true, SingleWriter = true });
        var reading = ReadAsync(connection, committed.Writer, session.Token);
        var publishing = PublishAsync(connection, committed.Reader, session.Token);
        var first = await Task.WhenAny(reading, publishing);
        await session.CancelAsync();
        await Task.WhenAll(reading, publishing).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await first;
        throw new InvalidOperationException("The replication stream ended.");
    }

    /// <summary>Reads committed transactions from the slot; each one's inserted outbox rows go to the publisher with the transaction's end LSN.</summary>
    private async Task ReadAsync(LogicalReplicationConnection connection, ChannelWriter<CommittedRows> committed, CancellationToken cancellationToken)
    {
        // messages: the heartbeat's logical message makes a transaction the stream shows, so an idle outbox still moves the slot.
        var streamOptions = new PgOutputReplicationOptions(OutboxReplication.Publication, PgOutputProtocolVersion.V1, binary: false, streamingMode: null, messages: true, twoPhase: null);
        var rows = new List<OutboxRow>();
        await foreach (var message in connection.StartReplication(new PgOutputReplicationSlot(replication.Slot), streamOptions, cancellationToken))
        {
            switch (message)
            {
                case InsertMessage insert:
                    rows.Add(await DecodeAsync(insert, cancellationToken));
                    break;
                case CommitMessage commit:
                    await committed.WriteAsync(new CommittedRows(rows, commit.TransactionEndLsn), cancellationToken);
                    rows = [];
                    break;
            }
        }
    }

    /// <summary>Publishes what was committed, in commit order, several transactions per batch when they queue up.</summary>
    private async Task PublishAsync(LogicalReplicationConnection connection, ChannelReader<CommittedRows> committed, CancellationToken cancellationToken)
    {
        while (await committed.WaitToReadAsync(cancellationToken))
        {
            var rows = new List<OutboxRow>();
            var end = default(NpgsqlLogSequenceNumber);
            while (rows.Count < _options.RelayBatchSize && committed.TryRead(out var transaction))
            {
                rows.AddRange(transaction.Rows);
                end = transaction.End;
            }
            if (rows.Count > 0)
            {
                await PublishRowsAsync(rows, cancellationToken);
            }
            connection.SetReplicationStatus(end);
        }
    }

    internal async Task PublishRowsAsync(List<OutboxRow> rows, CancellationToken cancellationToken)
    {
        await using var database = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await database.BeginTransactionAsync(cancellationToken);
        var (unsent, invisible) = await MarkAsync(database, transaction, [.. rows.Select(r => r.Id)], cancellationToken);
        // A row still invisible is sent unmarked: a repeat later (a sweep sends it again) is harmless, a skip would lose it.
        var sending = rows.Where(r => unsent.Contains(r.Id) || invisible.Contains(r.Id)).ToList();
        if (sending.Count > 0)
        {
            await table.PublishAsync(sending);
        }
        // Not cancelled once Redis has the entries: a relay told to stop still records what it sent.
        await transaction.CommitAsync(CancellationToken.None);
        if (invisible.Count > 0)
        {
            LogSentUnmarked(invisible.Count);
        }
        LogPublished(sending.Count, rows.Count - sending.Count);
    }

    /// <summary>
    /// Marks the streamed rows published, returning those this relay marked (to send) and those it
    /// could not yet see. Marking first locks the rows: a table relay's claim (SKIP LOCKED) passes
    /// them by, and rows it or the sweep already sent come back unmarked and are not sent twice.
    /// <para>
    /// A row the UPDATE does not return is either sent already (marked by another relay) or not yet visible: Postgres writes
    /// and flushes a transaction's commit record (which the slot then streams) a moment before the
    /// transaction becomes visible to other sessions' snapshots. Treating an invisible row as sent
    /// lost a whole transaction now and then (the CDC collection caught it under load), so a row
    /// this relay did not mark is taken for sent only when it is seen marked; otherwise it is asked
    /// for again, each statement with a fresh snapshot, for up to <see cref="VisibilityWait"/>, and
    /// sent anyway if it is still unseen by then.
    /// </para>
    /// </summary>
    private static async Task<(HashSet<long> Unsent, HashSet<long> Invisible)> MarkAsync(
        NpgsqlConnection database, NpgsqlTransaction transaction, long[] ids, CancellationToken cancellationToken)
    {
        var unsent = new HashSet<long>();
        var pending = ids.ToHashSet();
        var waited = TimeSpan.Zero;
        while (true)
        {
            await using (var mark = new NpgsqlCommand("UPDATE outbox_messages SET published_at = now() WHERE id = ANY(@ids) AND published_at IS NULL RETURNING id", database, transaction))
            {
                mark.Parameters.AddWithValue("ids", pending.ToArray());
                await using var reader = await mark.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    unsent.Add(reader.GetInt64(0));
                    pending.Remove(reader.GetInt64(0));
                }
            }
            if (pending.Count == 0)
            {
                return (unsent, pending);
            }
            // Marked by another relay: published already. (Not "visible": a row may become visible
            // between the UPDATE and this statement, and would then be taken for sent.)
            await using (var seen = new NpgsqlCommand("SELECT id FROM outbox_messages WHERE id = ANY(@ids) AND published_at IS NOT NULL", database, transaction))
            {
                seen.Parameters.AddWithValue("ids", pending.ToArray());
                await using var reader = await seen.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    pending.Remove(reader.GetInt64(0));
                }
            }
            if (pending.Count == 0 || waited >= VisibilityWait)
            {
                return (unsent, pending);
            }
            await Task.Delay(VisibilityStep, cancellationToken);
            waited += VisibilityStep;
        }
    }

    /// <summary>How long a streamed row may take to become visible before it is sent unmarked (a pruned row never will).</summary>
    private static readonly TimeSpan VisibilityWait = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan VisibilityStep = TimeSpan.FromMilliseconds(10);

    /// <summary>An inserted outbox row, from pgoutput's text form of each column.</summary>
    private static async Task<OutboxRow> DecodeAsync(InsertMessage insert, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        var column = 0;
        await foreach (var value in insert.NewRow.WithCancellation(cancellationToken))
        {
            values[insert.Relation.Columns[column++].ColumnName] = value.IsDBNull ? null : await value.Get<string>(cancellationToken);
        }
        string Text(string name) => values.GetValueOrDefault(name) ?? throw new InvalidDataException($"The outbox row streamed has no {name}.");
        return new OutboxRow(long.Parse(Text("id"), CultureInfo.InvariantCulture), Text("topic"), new EventEnvelope(
            Type: Text("type"),
            SchemaVersion: int.Parse(Text("schema_version"), CultureInfo.InvariantCulture),
            EventId: Guid.Parse(Text("event_id"), CultureInfo.InvariantCulture),
            AggregateId: Text("aggregate_id"),
            AggregateVersion: long.Parse(Text("aggregate_version"), CultureInfo.InvariantCulture),
            OccurredAt: DateTimeOffset.Parse(Text("occurred_at"), CultureInfo.InvariantCulture).ToUniversalTime(),
            TraceParent: values.GetValueOrDefault("trace_parent"),
            TraceState: values.GetValueOrDefault("trace_state"),
            Payload: JsonSerializer.Deserialize<JsonElement>(Text("payload"))));
    }

    /// <summary>
    /// Makes sure the slot exists and is usable; false when another relay is streaming from it.
    /// A slot Postgres invalidated (<c>wal_status = lost</c>) is dropped and created afresh.
    /// </summary>
    private async Task<bool> EnsureSlotAsync(CancellationToken cancellationToken)
    {
        await using var state = dataSource.CreateCommand("SELECT active, wal_status FROM pg_replication_slots WHERE slot_name = @slot");
        state.Parameters.AddWithValue("slot", replication.Slot);
        bool? active = null;
        string? walStatus = null;
        await using (var reader = await state.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                active = reader.GetBoolean(0);
                walStatus = reader.IsDBNull(1) ? null : reader.GetString(1);
            }
        }
        if (active is true)
        {
            return false;
        }
        if (walStatus == "lost")
        {
            LogSlotLost(replication.Slot);
            await using var drop = dataSource.CreateCommand("SELECT pg_drop_replication_slot(@slot)");
            drop.Parameters.AddWithValue("slot", replication.Slot);
            await drop.ExecuteNonQueryAsync(cancellationToken);
            active = null;
        }
        if (active is null)
        {
            try
            {
                await using var create = dataSource.CreateCommand("SELECT pg_create_logical_replication_slot(@slot, 'pgoutput')");
                create.Parameters.AddWithValue("slot", replication.Slot);
                await create.ExecuteNonQueryAsync(cancellationToken);
                LogSlotCreated(replication.Slot);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateObject)
            {
                // A replica created it a moment ago.
            }
        }
        return true;
    }

    private async Task EnsurePublicationAsync(CancellationToken cancellationToken)
    {
        await using var exists = dataSource.CreateCommand("SELECT EXISTS (SELECT FROM pg_publication WHERE pubname = @name)");
        exists.Parameters.AddWithValue("name", OutboxReplication.Publication);
        if ((bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
        {
            return;
        }
        try
        {
            await using var create = dataSource.CreateCommand(
                $"CREATE PUBLICATION {OutboxReplication.Publication} FOR TABLE {EventTablesModel.OutboxTable} WITH (publish = 'insert')");
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.UniqueViolation)
        {
            // A replica created it a moment ago.
        }
    }

    /// <summary>
    /// What the table relay does beside its claims, done here beside the stream: the republish
    /// after Redis lost its data, pruning, and the heartbeat that keeps the slot moving (and so
    /// its retained WAL small) while the outbox is idle.
    /// </summary>
    private async Task UpkeepAsync(CancellationToken stoppingToken)
    {
        var nextPrune = DateTimeOffset.UtcNow;
        var nextHeartbeat = DateTimeOffset.UtcNow;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // One step (RepublishBatchSize rows) per turn, as the table relay does between its
                // batches: new events, streamed meanwhile, never queue behind a whole day of repeats.
                await table.RepublishStepAsync(stoppingToken);
                if (DateTimeOffset.UtcNow >= nextHeartbeat)
                {
                    await using var heartbeat = dataSource.CreateCommand("SELECT pg_logical_emit_message(true, @prefix, ''::text)");
                    heartbeat.Parameters.AddWithValue("prefix", OutboxReplication.HeartbeatPrefix);
                    await heartbeat.ExecuteNonQueryAsync(stoppingToken);
                    nextHeartbeat = DateTimeOffset.UtcNow + _options.CdcHeartbeatInterval;
                }
                if (DateTimeOffset.UtcNow >= nextPrune)
                {
                    await table.PruneAsync(stoppingToken);
                    nextPrune = DateTimeOffset.UtcNow + _options.PruneInterval;
                }
                await Task.Delay(_options.RelayPollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogUpkeepFailed(ex);
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

    private sealed record CommittedRows(List<OutboxRow> Rows, NpgsqlLogSequenceNumber End);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Change-data-capture relay published {Count} event(s), skipped {Skipped} already sent")]
    private partial void LogPublished(int count, int skipped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change-data-capture relay sent {Count} streamed row(s) it could not see in the outbox table (pruned, or committed but not yet visible); they stay unmarked and a later sweep may send them again")]
    private partial void LogSentUnmarked(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Change-data-capture relay published {Count} unsent row(s) from the outbox table before streaming")]
    private partial void LogSwept(int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Replication slot {Slot} is held by another relay; waiting")]
    private partial void LogSlotActive(string slot);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created replication slot {Slot}")]
    private partial void LogSlotCreated(string slot);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replication slot {Slot} was invalidated (it retained more WAL than max_slot_wal_keep_size); recreating it and publishing the outbox table's unsent rows")]
    private partial void LogSlotLost(string slot);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change-data-capture relay failed; streaming again in {DelayMs} ms")]
    private partial void LogRelayFailed(Exception exception, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change-data-capture relay's upkeep (republish, prune, heartbeat) failed; retrying")]
    private partial void LogUpkeepFailed(Exception exception);
}
