using Matcha.AppHost.Infrastructure;

namespace Matcha.Tests.Foundation;

/// <summary>
/// The container runtime a local run names to the orchestrator, so that it checks none: one that is not installed,
/// and none when both are (the orchestrator then keeps its default).
/// </summary>
public sealed class ContainerRuntimeTests
{
    [Theory]
    [InlineData(new[] { "docker" }, "podman")]
    [InlineData(new[] { "podman" }, "docker")]
    [InlineData(new string[0], "docker")]
    [InlineData(new[] { "docker", "podman" }, null)]
    public void ALocalRunNamesARuntimeThatIsNotInstalled(string[] installed, string? expected)
    {
        var named = ContainerRuntime.NotInstalled(program => installed.Contains(program) ? $"/usr/bin/{program}" : null);

        Assert.Equal(expected, named);
    }
}
