using Matcha.Tests.Accounts;
using Matcha.Tests.Catalog;
using Matcha.Tests.Deletion;
using StackExchange.Redis;

namespace Matcha.Tests.Backbone;

// The collection "Matcha app, CDC relay, Redis Cluster" runs Redis as a cluster of three local
// masters (docs/scaling.md, "Redis Cluster"). Besides the event tests (CdcRelayTests.cs), these
// run again on it: the rankings (a rebuild swaps its keys in one transaction), the rate limits
// (Lua scripts), dead letters (moved in one transaction) and account deletion (the deny entries
// the gateway reads, and the saga through Redis going away).

[Collection(MatchaCdcAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "AppHostVariant")]
public sealed class ClusterRankingsTests(MatchaCdcAppFixture fixture) : RankingsTests(fixture);

[Collection(MatchaCdcAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "AppHostVariant")]
public sealed class ClusterSignUpLimitTests(MatchaCdcAppFixture fixture) : SignUpLimitTests(fixture);

[Collection(MatchaCdcAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "AppHostVariant")]
public sealed class ClusterBruteForceTests(MatchaCdcAppFixture fixture) : BruteForceTests(fixture);

[Collection(MatchaCdcAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "AppHostVariant")]
public sealed class ClusterDeadLetterTests(MatchaCdcAppFixture fixture) : DeadLetterTests(fixture);

[Collection(MatchaCdcAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "AppHostVariant")]
public sealed class ClusterAccountDeletionTests(MatchaCdcAppFixture fixture) : AccountDeletionTests(fixture);

[Collection(MatchaCdcAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "AppHostVariant")]
public sealed class ClusterDeletionCrashTests(MatchaCdcAppFixture fixture) : DeletionCrashTests(fixture);

/// <summary>What an operator would check of the cluster itself.</summary>
[Collection(MatchaCdcAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "AppHostVariant")]
public sealed class RedisClusterTests(MatchaCdcAppFixture fixture)
{
    [Fact]
    public async Task RedisIsAClusterOfThreeMastersThatServeEverySlotAndHoldTheEventStreams()
    {
        Assert.Equal(3, (await fixture.ConnectionStringAsync("redis")).Split(',').Count(part => part.StartsWith("127.0.0.1:", StringComparison.Ordinal)));
        using var redis = await fixture.RedisAsync();
        var masters = redis.GetServers().Where(server => server.IsConnected && !server.IsReplica).ToList();
        Assert.Equal(3, masters.Count);
        foreach (var master in masters)
        {
            Assert.Equal(ServerType.Cluster, master.ServerType);
            var info = ((string?)await master.ExecuteAsync("CLUSTER", "INFO"))!;
            Assert.Contains("cluster_state:ok", info, StringComparison.Ordinal);
            Assert.Contains("cluster_slots_assigned:16384", info, StringComparison.Ordinal);
            Assert.Contains("cluster_known_nodes:3", info, StringComparison.Ordinal);
        }

        // A film written through Catalog travels as an event: its stream is on one of the nodes, and read back through the cluster.
        var film = await fixture.WriteFilmAsync();
        await fixture.WaitForRatingsCopyAsync(film);
        Assert.True(await redis.GetDatabase().StreamLengthAsync("matcha:events:catalog") > 0);
    }
}
