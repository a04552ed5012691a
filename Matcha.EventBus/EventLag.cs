using System.Globalization;
using Npgsql;
using StackExchange.Redis;

namespace Matcha.EventBus;

/// <summary>
/// What waits at one stage of the backbone, measured: how many items, and how long the oldest
/// of them has waited.
/// </summary>
internal sealed record EventLag(long Waiting, TimeSpan OldestWait)
{
    public static readonly EventLag None = new(0, TimeSpan.Zero);
}

/// <summary>A stage of the backbone whose lag can be measured: this service's outbox relay, or one subscription.</summary>
internal interface IEventLagSource
{
    /// <summary>The metric tag and the health report's key: <c>outbox-relay</c> or the subscription's name.</summary>
    string Stage { get; }

    Task<EventLag> MeasureAsync(CancellationToken cancellationToken);
}

/// <summary>Rows committed to the outbox and not yet on their stream; the oldest one's wait counts from when it was written.</summary>
internal sealed class OutboxLag(NpgsqlDataSource dataSource) : IEventLagSource
{
    public string Stage => "outbox-relay";

    public async Task<EventLag> MeasureAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT count(*), coalesce(extract(epoch FROM now() - min(occurred_at)), 0)::float8 FROM outbox_messages WHERE published_at IS NULL");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new EventLag(reader.GetInt64(0), TimeSpan.FromSeconds(Math.Max(0, reader.GetDouble(1))));
    }
}

/// <summary>
/// Entries of a subscription's stream that its consumer group has not finished: delivered and
/// not yet acknowledged (pending), or not yet delivered at all. A stream entry's id is the time
/// Redis added it, so the oldest one's wait needs no clock of the producer's.
/// </summary>
internal sealed class ConsumerLag(IEventSubscription subscription, IConnectionMultiplexer redis) : IEventLagSource
{
    public string Stage => subscription.Name;

    public async Task<EventLag> MeasureAsync(CancellationToken cancellationToken)
    {
        var database = redis.GetDatabase();
        var key = subscription.StreamKey;
        var group = (await database.StreamGroupInfoAsync(key)).FirstOrDefault(g => g.Name == subscription.Name);
        if (group.Name is null)
        {
            // No group yet (or Redis lost it): everything on the stream waits for the consumer to create it.
            var first = await database.StreamRangeAsync(key, "-", "+", count: 1);
            return first.Length == 0 ? EventLag.None : new EventLag(await database.StreamLengthAsync(key), Age(first[0].Id));
        }

        var pending = group.PendingMessageCount > 0 ? await database.StreamPendingAsync(key, subscription.Name) : default;
        var undelivered = await database.StreamRangeAsync(key, $"({group.LastDeliveredId}", "+", count: 1);
        var waiting = group.PendingMessageCount + (group.Lag ?? (undelivered.Length == 0 ? 0 : 1));
        RedisValue[] oldest = [.. new[] { pending.LowestPendingMessageId, undelivered.Length == 0 ? RedisValue.Null : undelivered[0].Id }.Where(id => !id.IsNullOrEmpty)];
        return oldest.Length == 0 ? new EventLag(waiting, TimeSpan.Zero) : new EventLag(waiting, oldest.Select(Age).Max());
    }

    private static TimeSpan Age(RedisValue entryId)
    {
        var text = entryId.ToString();
        var milliseconds = long.Parse(text.AsSpan(0, text.IndexOf('-', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
        var age = DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        return age < TimeSpan.Zero ? TimeSpan.Zero : age;
    }
}
