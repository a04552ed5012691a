using System.Diagnostics;

namespace Matcha.AppHost.Infrastructure;

internal static class ContainerRuntime
{
    /// <summary>Where Aspire reads the runtime it hands the orchestrator (DCP) before <c>ASPIRE_CONTAINER_RUNTIME</c>.</summary>
    public const string OrchestratorRuntimeKey = "DcpPublisher:ContainerRuntime";

    /// <summary>
    /// The runtime to name to the orchestrator when nothing runs in a container: one that is not installed, or null
    /// when both are (then the orchestrator keeps its own choice). DCP checks its runtime every 5 s whether or not a
    /// container exists, by starting the client twice (<c>docker --version</c>, <c>docker network ls</c>): on two
    /// cores about 0.1 s of CPU at once, seen in the load benchmark's slowest moments (docs/performance.md, "The
    /// orchestrator's docker checks"). A client that is not installed fails at its start and costs nothing.
    /// </summary>
    public static string? NotInstalled(Func<string, string?> findOnPath) =>
        Runtimes.FirstOrDefault(runtime => findOnPath(runtime) is null);

    /// <summary>The two DCP accepts.</summary>
    private static readonly string[] Runtimes = ["docker", "podman"];

    /// <summary>
    /// True when the container runtime Aspire would use (ASPIRE_CONTAINER_RUNTIME, default
    /// docker) answers <c>info</c> within a few seconds. A client without an engine fails fast.
    /// </summary>
    public static bool Answers(string? configuredRuntime)
    {
        var runtime = string.IsNullOrWhiteSpace(configuredRuntime) ? "docker" : configuredRuntime;
        if (LocalBinaries.FindOnPath(runtime) is not { } path)
        {
            return false;
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo(path, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null)
            {
                return false;
            }
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
