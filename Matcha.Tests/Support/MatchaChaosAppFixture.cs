namespace Matcha.Tests.Support;

/// <summary>
/// The same Matcha with chaos on (<c>./eng/run.sh --chaos</c>, <c>Matcha:Chaos=true</c>): the
/// gateway's screen clients of Catalog and Ratings fail 30 % of their attempts and answer each
/// 500 ms late, through Polly's chaos strategies inside their retry and circuit breaker.
/// <para>
/// The product's breaker opens at half of at least 6 attempts in 15 s, which a steady 30 % seldom
/// reaches (by design: a service failing 3 calls in 10 still serves most screens). Here its window
/// is 2 s and 2 attempts, so the bursts that random faults make open it within seconds and the
/// tests see it open and half-open.
/// </para>
/// </summary>
public sealed class MatchaChaosAppFixture : MatchaAppFixture
{
    protected override string[] AppHostArgs => ["--Matcha:Chaos=true"];

    protected override void Configure(IDistributedApplicationTestingBuilder builder)
    {
        var gateway = builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(p => p.Name == "gateway"));
        foreach (var service in (string[])["catalog", "ratings"])
        {
            gateway.WithEnvironment($"Gateway__Screens__{service}__SamplingDuration", "00:00:02")
                .WithEnvironment($"Gateway__Screens__{service}__MinimumThroughput", "2")
                .WithEnvironment($"Gateway__Screens__{service}__BreakDuration", "00:00:01");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class MatchaChaosAppCollectionDefinition : ICollectionFixture<MatchaChaosAppFixture>
{
    public const string Name = "Matcha app, chaos";
}
