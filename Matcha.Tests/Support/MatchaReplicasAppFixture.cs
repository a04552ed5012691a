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
}

[CollectionDefinition(Name)]
public sealed class MatchaReplicasAppCollectionDefinition : ICollectionFixture<MatchaReplicasAppFixture>
{
    public const string Name = "Matcha app, two replicas of each service";
}
