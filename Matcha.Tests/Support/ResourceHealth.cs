using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace Matcha.Tests.Support;

/// <summary>
/// Waits for resources to be healthy, and when one fails to start says why: its state, its exit
/// code and the last lines it printed. Aspire's own message names only the resource, and a test
/// run's log keeps the failure, not the resource's console.
/// </summary>
public static class ResourceHealth
{
    private const int LinesShown = 30;

    public static async Task WaitAllHealthyAsync(this DistributedApplication app, IEnumerable<string> names, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(names.Select(name => app.ResourceNotifications.WaitForResourceHealthyAsync(name, cancellationToken)));
        }
        catch (DistributedApplicationException e)
        {
            throw new ResourceStartException(e.Message + Environment.NewLine + await DescribeAsync(app, names), e);
        }
    }

    /// <summary>Each resource's state and, for one that is not running, the end of its console output.</summary>
    public static async Task<string> DescribeAsync(DistributedApplication app, IEnumerable<string> names)
    {
        var logs = app.Services.GetRequiredService<ResourceLoggerService>();
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        var text = new StringBuilder();
        foreach (var name in names)
        {
            app.ResourceNotifications.TryGetCurrentState(name, out var current);
            var state = current?.Snapshot.State?.Text ?? "unknown";
            text.Append(name).Append(": ").Append(state);
            if (current?.Snapshot.ExitCode is { } exitCode)
            {
                text.Append(", exit code ").Append(exitCode);
            }
            text.AppendLine();
            if (state == KnownResourceStates.Running)
            {
                continue;
            }

            var lines = new List<string>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                // By the resource, not its name: the orchestrator knows it by a name with a suffix.
                await foreach (var batch in logs.GetAllAsync(model.Resources.Single(r => r.Name == name)).WithCancellation(timeout.Token))
                {
                    lines.AddRange(batch.Select(line => line.Content));
                }
            }
            catch (OperationCanceledException)
            {
                lines.Add("(its log could not be read in 5 s)");
            }
            foreach (var line in lines.TakeLast(LinesShown))
            {
                text.Append("  | ").AppendLine(line);
            }
        }
        return text.ToString();
    }
}

/// <summary>A resource did not become healthy; the message carries what it printed.</summary>
public sealed class ResourceStartException(string message, Exception inner) : Exception(message, inner);
