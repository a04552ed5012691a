namespace Matcha.Tests.Support;

/// <summary>
/// The same Matcha with two processes of every service and of the gateway
/// (<c>Matcha:Replicas=2</c>, as <c>./eng/run.sh --replicas 2</c>), each behind one address, for
/// the tests that kill one replica under load (Backbone/ReplicasTests.cs). A resource's name
/// stands for all its replicas: kill, stop or start one by its id
/// (<see cref="ServiceProcesses.HealthyReplicasAsync"/>).
/// </summary>
public sealed class MatchaReplicasAppFixture : MatchaAppFixture
{
    public const int Replicas = 2;

    public static readonly string[] Services = ["catalog", "ratings", "accounts", "social", "gateway"];

    protected override string[] AppHostArgs => [$"--Matcha:Replicas={Replicas}"];

    /// <summary>Twice the processes to start: on the shared 2-core machine four minutes were not always enough.</summary>
    protected override TimeSpan StartTimeout => TimeSpan.FromMinutes(8);
}

[CollectionDefinition(Name)]
public sealed class MatchaReplicasAppCollectionDefinition : ICollectionFixture<MatchaReplicasAppFixture>
{
    public const string Name = "Matcha app, two replicas of each service";
}
