using Matcha.Catalog.Rankings;
using Matcha.EventBus;
using StackExchange.Redis;

namespace Matcha.Tests.Foundation;

/// <summary>
/// The keys that one multi-key operation touches share a hash slot, as a Redis Cluster requires
/// (docs/scaling.md, "Redis Cluster"): the rankings' rebuild (RENAME and SET in one MULTI/EXEC) and
/// a dead letter's move (XADD and XACK in one MULTI/EXEC). Every other key is used alone.
/// Slots are computed by StackExchange.Redis, as it routes commands; no server is needed.
/// </summary>
public sealed class RedisClusterKeysTests : IDisposable
{
    // Never connects: only its slot arithmetic is used.
    private readonly ConnectionMultiplexer _redis = ConnectionMultiplexer.Connect("localhost:1,abortConnect=false,connectTimeout=100");

    [Fact]
    public void EveryKeyTheRankingsRebuildSwapsInOneTransactionIsInOneSlot()
    {
        var keys = MovieRankings.SwapKeys().ToList();

        Assert.Equal(MovieRankings.Kinds.Length * 2 + 1, keys.Count);
        Assert.Single(keys.Select(key => _redis.HashSlot(key)).Distinct());
    }

    [Theory]
    [InlineData("ratings", "catalog-stats")]
    [InlineData("catalog", "ratings-movies")]
    [InlineData("account-deletions", "catalog-erasure")]
    [InlineData("accounts", "social-members")]
    public void AStreamAndEachOfItsDeadLetterStreamsAreInOneSlot(string topic, string subscription)
    {
        var options = new EventBusOptions();

        // The stream keeps the name every producer, consumer and operator knows.
        Assert.Equal($"matcha:events:{topic}", options.StreamKey(topic));
        Assert.Equal(_redis.HashSlot(options.StreamKey(topic)), _redis.HashSlot(options.DeadLetterKey(topic, subscription)));
    }

    public void Dispose() => _redis.Dispose();
}
