namespace Matcha.Tests.Support;

/// <summary>
/// The same Matcha with every service's outbox relayed by change data capture
/// (<c>events-relay=cdc</c>), and Redis run as a Redis Cluster of three local masters
/// (<c>Matcha:Infrastructure:Redis=Cluster</c>), for the tests that must pass with each relay and
/// on each Redis: the event tests, and the rankings, rate-limit, dead-letter and deletion tests
/// (CdcRelayTests.cs). The main collection keeps the single Redis. Stopping or starting the
/// resource "redis" stops or starts every node of the cluster.
/// </summary>
public sealed class MatchaCdcAppFixture : MatchaAppFixture
{
    protected override string[] AppHostArgs => ["--Parameters:events-relay=cdc", "--Matcha:Infrastructure:Redis=Cluster"];
}

[CollectionDefinition(Name)]
public sealed class MatchaCdcAppCollectionDefinition : ICollectionFixture<MatchaCdcAppFixture>
{
    public const string Name = "Matcha app, CDC relay, Redis Cluster";
}
