namespace Matcha.Tests.Support;

/// <summary>
/// The same Matcha with every service's outbox relayed by change data capture
/// (<c>events-relay=cdc</c>), for the event tests that must pass with each relay.
/// </summary>
public sealed class MatchaCdcAppFixture : MatchaAppFixture
{
    protected override string[] AppHostArgs => ["--Parameters:events-relay=cdc"];
}

[CollectionDefinition(Name)]
public sealed class MatchaCdcAppCollectionDefinition : ICollectionFixture<MatchaCdcAppFixture>
{
    public const string Name = "Matcha app, CDC relay";
}
