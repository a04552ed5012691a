using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Matcha.EventBus;

/// <summary>
/// Reads one subscription's stream as a member of its Redis consumer group. An entry is
/// acknowledged only after its effect committed; one whose applier failed stays pending and
/// is claimed again (by this or any replica, XAUTOCLAIM) after <see cref="EventBusOptions.ReclaimAfter"/>,
/// as are the entries of a consumer that crashed. After <see cref="EventBusOptions.MaxAttempts"/>
/// deliveries that failed for a reason other than an unreachable database, the entry moves to the
/// subscription's dead-letter stream and the rest keep flowing.
/// </summary>
internal sealed partial class EventConsumer(
    IEventSubscription subscription,
    IConnectionMultiplexer redis,
    IOptions<EventBusOptions> options,
    ILogger<EventConsumer> logger) : BackgroundService
{
    internal const string EnvelopeField = "envelope";

    private readonly EventBusOptions _options = options.Value;
    private readonly string _consumer = $"{Environment.MachineName}-{Environment.ProcessId}";
    private readonly ConcurrentDictionary<string, (string Error, bool Transient)> _failures = new();
    private RedisValue _reclaimCursor = "0-0";
    private readonly WakeSignal _wake = new();

    /// <summary>
    /// The relays publish here after adding to a stream, so its idle consumers read at once rather
    /// than at their next poll (StackExchange.Redis cannot block on XREADGROUP). Pub/sub is not
    /// delivered reliably, so the poll stays as the fallback: a lost wake costs one poll interval.
    /// </summary>
    internal static RedisChannel WakeChannel(string streamKey) => RedisChannel.Literal(streamKey + ":wake");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var groupReady = false;
        var listening = false;
        var backoff = TimeSpan.Zero;
        var nextReclaim = DateTimeOffset.UtcNow;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var database = redis.GetDatabase();
                    if (!listening)
                    {
                        // Once: the multiplexer subscribes again by itself after a reconnection. Wakes published while the
                        // connection was down are lost, so a restored connection is a wake of its own.
                        await redis.GetSubscriber().SubscribeAsync(WakeChannel(subscription.StreamKey), (_, _) => _wake.Wake());
                        redis.ConnectionRestored += WakeOnRestored;
                        listening = true;
                    }
                    if (!groupReady)
                    {
                        await EnsureGroupAsync(database);
                        groupReady = true;
                    }
                    if (DateTimeOffset.UtcNow >= nextReclaim)
                    {
                        await ReclaimAsync(database, stoppingToken);
                        nextReclaim = DateTimeOffset.UtcNow + _options.ReclaimInterval;
                    }
                    var entries = await database.StreamReadGroupAsync(subscription.StreamKey, subscription.Name, _consumer, ">", _options.ConsumerBatchSize);
                    await ProcessBatchAsync(database, [.. await AcknowledgeAppliedAsync(database, entries, stoppingToken)], stoppingToken);
                    backoff = TimeSpan.Zero;
                    // A read that was not full took every entry the group had not been given: the next one is announced by
                    // its relay's wake, which comes after its XADD. Reading again at once found nothing in nearly every case
                    // at a steady rate, a Redis round trip per batch (docs/performance.md, "Fewer empty looks").
                    if (entries.Length < _options.ConsumerBatchSize)
                    {
                        await _wake.WaitAsync(_options.ConsumerPollInterval, stoppingToken);
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // A Redis that restarted without its data has lost the group too.
                    if (ex is RedisServerException && ex.Message.Contains("NOGROUP", StringComparison.Ordinal))
                    {
                        groupReady = false;
                    }
                    backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
                    LogConsumerFailed(ex, subscription.Name, backoff.TotalMilliseconds);
                    await Task.Delay(backoff, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            redis.ConnectionRestored -= WakeOnRestored;
            // The last batch's cache evictions finish before the service's scopes go away.
            await subscription.AfterCommitWork;
        }
    }

    private void WakeOnRestored(object? sender, ConnectionFailedEventArgs e) => _wake.Wake();

    private async Task EnsureGroupAsync(IDatabase database)
    {
        try
        {
            // From the stream's beginning: events published before the group existed are read too.
            await database.StreamCreateConsumerGroupAsync(subscription.StreamKey, subscription.Name, "0-0", createStream: true);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("BUSYGROUP", StringComparison.Ordinal))
        {
        }
    }

    /// <summary>
    /// Acknowledges, in one round trip each way, the entries of a full batch whose events the inbox
    /// already holds, and returns the rest to be applied. After Redis lost its data the relays
    /// publish every kept event again, thousands of repeats in full batches, and new events waited
    /// behind them. A batch that is not full is the steady state, where repeats are rare: the apply
    /// transaction's inbox statement finds them anyway, and this check would cost every batch one
    /// more round trip (docs/performance.md).
    /// </summary>
    private async Task<IEnumerable<StreamEntry>> AcknowledgeAppliedAsync(IDatabase database, StreamEntry[] entries, CancellationToken cancellationToken)
    {
        if (entries.Length < _options.ConsumerBatchSize)
        {
            return entries;
        }
        var eventIds = new Dictionary<RedisValue, Guid>();
        foreach (var entry in entries)
        {
            if (EventEnvelope.TryParse(entry[EnvelopeField], out var envelope))
            {
                eventIds[entry.Id] = envelope.EventId;
            }
        }
        var applied = await subscription.AppliedAmongAsync([.. eventIds.Values], cancellationToken);
        if (applied.Count == 0)
        {
            return entries;
        }
        RedisValue[] repeats = [.. eventIds.Where(e => applied.Contains(e.Value)).Select(e => e.Key)];
        await database.StreamAcknowledgeAsync(subscription.StreamKey, subscription.Name, repeats);
        LogRepeatsAcknowledged(subscription.Name, repeats.Length);
        return entries.Where(e => !eventIds.TryGetValue(e.Id, out var id) || !applied.Contains(id));
    }

    /// <summary>
    /// Applies a batch in one transaction and acknowledges it with one XACK. If that fails, each
    /// entry is applied on its own, so one poison event fails (and is retried, then dead-lettered)
    /// alone while the others take effect.
    /// </summary>
    private async Task ProcessBatchAsync(IDatabase database, StreamEntry[] entries, CancellationToken cancellationToken)
    {
        var readable = new List<(StreamEntry Entry, EventEnvelope Envelope)>(entries.Length);
        foreach (var entry in entries)
        {
            if (EventEnvelope.TryParse(entry[EnvelopeField], out var envelope))
            {
                readable.Add((entry, envelope));
            }
        }
        if (readable.Count > 1 && readable.Count == entries.Length)
        {
            try
            {
                var outcomes = await subscription.ApplyBatchAsync([.. readable.Select(r => r.Envelope)], cancellationToken);
                Acknowledge(database, [.. readable.Select(r => r.Entry.Id)]);
                for (var i = 0; i < readable.Count; i++)
                {
                    _failures.TryRemove(readable[i].Entry.Id.ToString(), out _);
                    LogApplied(subscription.Name, readable[i].Envelope.Type, readable[i].Envelope.EventId, outcomes[i]);
                }
                return;
            }
            // A deadlock with another replica's batch (films locked in another order) is retried one by one too.
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not RedisException && (!IsTransient(ex) || IsDeadlock(ex)))
            {
                LogBatchFailed(ex, subscription.Name, readable.Count);
            }
        }
        foreach (var entry in entries)
        {
            await ProcessAsync(database, entry, cancellationToken);
        }
    }

    /// <summary>
    /// XACK, sent after the commit but not waited for: the next read goes out behind it on the same connection, and
    /// at a steady rate the events that arrived during an apply waited a Redis round trip more for it. An XACK that
    /// is lost (Redis went away) leaves its entries pending; they are claimed again and the inbox knows them.
    /// </summary>
    private void Acknowledge(IDatabase database, RedisValue[] entryIds) =>
        database.StreamAcknowledge(subscription.StreamKey, subscription.Name, entryIds, CommandFlags.FireAndForget);

    private async Task ProcessAsync(IDatabase database, StreamEntry entry, CancellationToken cancellationToken)
    {
        var id = entry.Id.ToString();
        if (!EventEnvelope.TryParse(entry[EnvelopeField], out var envelope))
        {
            await DeadLetterAsync(database, entry, "The entry is not a readable event envelope.", attempts: 1);
            return;
        }
        try
        {
            var outcome = await subscription.ApplyAsync(envelope, cancellationToken);
            Acknowledge(database, [entry.Id]);
            _failures.TryRemove(id, out _);
            LogApplied(subscription.Name, envelope.Type, envelope.EventId, outcome);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not RedisException)
        {
            var transient = IsTransient(ex);
            _failures[id] = (ex.Message, transient);
            LogApplyFailed(ex, subscription.Name, envelope.Type, envelope.EventId);
            if (transient)
            {
                throw;   // the database is away: back off instead of failing every entry in turn
            }
        }
    }

    private async Task ReclaimAsync(IDatabase database, CancellationToken cancellationToken)
    {
        var claimed = await database.StreamAutoClaimAsync(subscription.StreamKey, subscription.Name, _consumer,
            (long)_options.ReclaimAfter.TotalMilliseconds, _reclaimCursor, _options.ConsumerBatchSize);
        _reclaimCursor = claimed.NextStartId;
        var entries = claimed.ClaimedEntries.Where(e => !e.IsNull).ToArray();
        if (entries.Length == 0)
        {
            return;
        }

        var pending = await database.StreamPendingMessagesAsync(subscription.StreamKey, subscription.Name,
            entries.Length, _consumer, entries[0].Id, entries[^1].Id);
        var deliveries = pending.ToDictionary(p => p.MessageId.ToString(), p => p.DeliveryCount);
        foreach (var entry in entries)
        {
            var id = entry.Id.ToString();
            var attempts = deliveries.GetValueOrDefault(id, 1);
            var known = _failures.TryGetValue(id, out var failure);
            if (attempts > _options.MaxAttempts && !(known && failure.Transient))
            {
                await DeadLetterAsync(database, entry,
                    known ? failure.Error : "Failed or abandoned by another consumer.", attempts - 1);
                continue;
            }
            await ProcessAsync(database, entry, cancellationToken);
        }
    }

    private async Task DeadLetterAsync(IDatabase database, StreamEntry entry, string error, int attempts)
    {
        var move = database.CreateTransaction();
        _ = move.StreamAddAsync(subscription.DeadLetterKey,
        [
            new NameValueEntry(EnvelopeField, entry[EnvelopeField]),
            new NameValueEntry("error", error),
            new NameValueEntry("attempts", attempts),
            new NameValueEntry("source-id", entry.Id),
            new NameValueEntry("failed-at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)),
        ]);
        _ = move.StreamAcknowledgeAsync(subscription.StreamKey, subscription.Name, entry.Id);
        await move.ExecuteAsync();
        _failures.TryRemove(entry.Id.ToString(), out _);
        LogDeadLettered(subscription.Name, entry.Id.ToString(), attempts, error);
    }

    private static bool IsDeadlock(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected }
        || (exception.InnerException is { } inner && IsDeadlock(inner));

    private static bool IsTransient(Exception exception) =>
        exception is TimeoutException || exception is NpgsqlException { IsTransient: true }
        || (exception.InnerException is { } inner && IsTransient(inner));

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Subscription}: {Type} {EventId} {Outcome}")]
    private partial void LogApplied(string subscription, string type, Guid eventId, ApplyOutcome outcome);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Subscription}: {Count} event(s) already applied, acknowledged without applying")]
    private partial void LogRepeatsAcknowledged(string subscription, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Subscription}: a batch of {Count} event(s) failed together; applying them one by one")]
    private partial void LogBatchFailed(Exception exception, string subscription, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Subscription}: applying {Type} {EventId} failed; it stays pending and is retried")]
    private partial void LogApplyFailed(Exception exception, string subscription, string type, Guid eventId);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Subscription}: entry {EntryId} moved to the dead-letter stream after {Attempts} attempt(s): {Error}")]
    private partial void LogDeadLettered(string subscription, string entryId, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Subscription}: consumer loop failed; retrying in {DelayMs} ms")]
    private partial void LogConsumerFailed(Exception exception, string subscription, double delayMs);
}
