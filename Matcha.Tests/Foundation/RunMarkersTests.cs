using Matcha.AppHost.Infrastructure;

namespace Matcha.Tests.Foundation;

/// <summary>
/// Every process a local run starts, the services and the mail sink as well as Postgres and Redis,
/// carries the run's data folder and its AppHost (here the test host) in its environment: what the
/// next start stops when this run is killed without stopping them (<see cref="LeftoverProcesses"/>).
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class RunMarkersTests(MatchaAppFixture fixture)
{
    [Fact]
    public void EveryProcessOfTheRunCarriesItsFolderAndItsAppHost()
    {
        var marked = LeftoverProcesses.Of(fixture.DataDirectory);

        string[] expected = ["postgres", "redis-server", "smtp4dev", "Matcha.Catalog", "Matcha.Ratings", "Matcha.Accounts", "Matcha.Social", "Matcha.Gateway"];
        Assert.Empty(expected.Except(marked.Select(p => p.Name)));
        Assert.All(marked, p => Assert.Equal(LeftoverProcesses.CurrentOwner, p.Owner));
        Assert.True(LeftoverProcesses.IsAlive(LeftoverProcesses.CurrentOwner));
    }
}
