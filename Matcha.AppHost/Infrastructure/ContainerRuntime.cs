using System.Diagnostics;

namespace Matcha.AppHost.Infrastructure;

internal static class ContainerRuntime
{
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
