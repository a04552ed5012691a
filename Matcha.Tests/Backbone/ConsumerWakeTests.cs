using System.Collections.Concurrent;
using Matcha.EventBus;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Matcha.Tests.Backbone;

/// <summary>
/// An idle consumer is woken by the relay that added to its stream: an event does not wait for the
/// consumer's next poll (docs/events.md, "Waking the consumers").
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public class ConsumerWakeTests(MatchaAppFixture fixture)
{
    [Fact]
    public Task AnIdleConsumerAppliesAnEventAsSoonAsTheRelayPublishesItNotAtItsNextPoll() =>
        WithConsumerPollingHourlyAsync(async (writeAndRelay, subscription) =>
        {
            await writeAndRelay(1);
            Assert.Equal(1, await EventsDriver.EventuallyAsync(() => Task.FromResult(subscription.Applied.Count), count => count == 1));

            // The consumer has found its stream empty since and waits; the relay's wake must end the wait.
            await Task.Delay(TimeSpan.FromSeconds(1));
            await writeAndRelay(2);
            // Without the wake the second event waits for the hour's poll, and the count stays at 1.
            Assert.Equal(2, await EventsDriver.EventuallyAsync(() => Task.FromResult(subscription.Applied.Count), count => count == 2));
            Assert.Equal([1L, 2L], subscription.Applied.Select(e => e.AggregateVersion).Order());
        });

    [Fact]
    public Task EventsRelayedOneAfterAnotherAreAllAppliedInOrderWithoutWaitingForAPoll() =>
        // After a read that was not full the consumer waits for the next wake instead of reading again at once
        // (docs/performance.md, "Fewer empty looks"). A wake that arrives while it applies a batch must still end
        // that wait: with an hour's poll, one lost wake leaves the rest of the events unapplied.
        WithConsumerPollingHourlyAsync(async (writeAndRelay, subscription) =>
        {
            const int Events = 40;
            for (var version = 1; version <= Events; version++)
            {
                await writeAndRelay(version);
            }
            Assert.Equal(Events, await EventsDriver.EventuallyAsync(() => Task.FromResult(subscription.Applied.Count), count => count == Events));
            Assert.Equal(Enumerable.Range(1, Events).Select(v => (long)v), subscription.Applied.Select(e => e.AggregateVersion));
        });

    /// <summary>
    /// A consumer of a topic of its own whose poll is far longer than the test's patience, so only the relay's wake can
    /// bring an event in time, and a relay that writes one event of the topic's aggregate at a given version and publishes it.
    /// </summary>
    private async Task WithConsumerPollingHourlyAsync(Func<Func<long, Task>, RecordingSubscription, Task> test)
    {
        var topic = $"wake-test-{Guid.NewGuid():N}";
        await using var dataSource = NpgsqlDataSource.Create(await fixture.ConnectionStringAsync("ratingsdb"));
        using var redis = await fixture.RedisAsync();
        var options = Options.Create(new EventBusOptions { ConsumerPollInterval = TimeSpan.FromHours(1) });
        var relay = new OutboxRelay(dataSource, redis, new OutboxWake(), options, NullLogger<OutboxRelay>.Instance);
        var subscription = new RecordingSubscription(options.Value.StreamKey(topic));
        using var consumer = new EventConsumer(subscription, redis, options, NullLogger<EventConsumer>.Instance);
        await consumer.StartAsync(CancellationToken.None);
        try
        {
            await test(version => WriteAndRelayAsync(dataSource, relay, topic, version), subscription);
        }
        finally
        {
            await consumer.StopAsync(CancellationToken.None);
        }
    }

    private static async Task WriteAndRelayAsync(NpgsqlDataSource dataSource, OutboxRelay relay, string topic, long version)
    {
        await using (var insert = dataSource.CreateCommand("""
            INSERT INTO outbox_messages (event_id, topic, type, schema_version, aggregate_id, aggregate_version, occurred_at, payload)
            VALUES (gen_random_uuid(), @topic, 'WakeProbe', 1, 'probe/1', @version, now(), '{}'::jsonb)
            """))
        {
            insert.Parameters.AddWithValue("topic", topic);
            insert.Parameters.AddWithValue("version", version);
            await insert.ExecuteNonQueryAsync();
        }
        // The relay inside Ratings may publish the row first; either way it is published by a relay.
        using var timeout = new CancellationTokenSource(EventsDriver.Patience);
        await relay.PublishBatchAsync(timeout.Token);
    }

    private sealed class RecordingSubscription(string streamKey) : IEventSubscription
    {
        public ConcurrentQueue<EventEnvelope> Applied { get; } = new();
        public string Name => "wake-test";
        public string StreamKey => streamKey;
        public string DeadLetterKey => streamKey + ":dead-letters:wake-test";

        public Task<ApplyOutcome> ApplyAsync(EventEnvelope envelope, CancellationToken cancellationToken)
        {
            Applied.Enqueue(envelope);
            return Task.FromResult(ApplyOutcome.Applied);
        }

        public async Task<IReadOnlyList<ApplyOutcome>> ApplyBatchAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken)
        {
            var outcomes = new List<ApplyOutcome>();
            foreach (var envelope in envelopes)
            {
                outcomes.Add(await ApplyAsync(envelope, cancellationToken));
            }
            return outcomes;
        }

        public Task<IReadOnlySet<Guid>> AppliedAmongAsync(IReadOnlyCollection<Guid> eventIds, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlySet<Guid>>(Applied.Select(e => e.EventId).Where(eventIds.Contains).ToHashSet());
    }
}
