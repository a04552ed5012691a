namespace Matcha.Tests.Support;

/// <summary>
/// The same Matcha with every service's outbox relayed by change data capture
/// (<c>events-relay=cdc</c>), and Redis run as a Redis Cluster of three local masters
/// (<c>Matcha:Infrastructure:Redis=Cluster</c>), and Postgres with a streaming-replication hot standby that
/// Catalog's public reads use (<c>Matcha:Infrastructure:Postgres=Standby</c>; PostgresStandbyTests.cs), for the tests that must pass with each relay and
/// on each Redis: the event tests, and the rankings, rate-limit, dead-letter and deletion tests
/// (CdcRelayTests.cs). The main collection keeps the single Redis and the single Postgres. Stopping or starting the
/// resource "redis" stops or starts every node of the cluster.
/// </summary>
public sealed class MatchaCdcAppFixture : MatchaAppFixture
{
    protected override string[] AppHostArgs => ["--Parameters:events-relay=cdc", "--Matcha:Infrastructure:Redis=Cluster", "--Matcha:Infrastructure:Postgres=Standby"];
}

[CollectionDefinition(Name)]
public sealed class MatchaCdcAppCollectionDefinition : ICollectionFixture<MatchaCdcAppFixture>
{
    public const string Name = "Matcha app, CDC relay, Redis Cluster";
}
