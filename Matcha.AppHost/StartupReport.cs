using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Matcha.AppHost;

internal static partial class StartupReport
{
    /// <summary>
    /// Once every resource is healthy, says so on the console with the time it took and the
    /// URLs a person needs: the gateway (the app) and the dashboard. Each resource's state
    /// and health changes, with the seconds since start, are logged at Debug level (<c>Logging:LogLevel:Matcha=Debug</c>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithStartupReport(this IResourceBuilder<ProjectResource> gateway)
    {
        var builder = gateway.ApplicationBuilder;
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, cancellationToken) =>
        {
            var services = @event.Services;
            var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Matcha.Startup");
            _ = LogStateChangesAsync(services.GetRequiredService<ResourceNotificationService>(), logger, stopping);
            _ = ReportWhenHealthyAsync(@event.Model, services, gateway.Resource, logger, stopping);
            return Task.CompletedTask;
        });
        return gateway;
    }

    private static async Task ReportWhenHealthyAsync(
        DistributedApplicationModel model, IServiceProvider services, ProjectResource gateway, ILogger logger, CancellationToken stopping)
    {
        try
        {
            var notifications = services.GetRequiredService<ResourceNotificationService>();
            var started = Process.GetCurrentProcess().StartTime.ToUniversalTime();
            // Every resource that reports health (infrastructure, databases, services, gateway).
            var watched = model.Resources.Where(r => r.TryGetAnnotationsOfType<HealthCheckAnnotation>(out _)).ToList();
            await Task.WhenAll(watched.Select(r => notifications.WaitForResourceHealthyAsync(r.Name, stopping)));

            if (!model.Resources.Contains(gateway))
            {
                return;   // a trimmed model, as some tests build
            }

            var elapsed = DateTime.UtcNow - started;
            var dashboard = services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["ASPNETCORE_URLS"] ?? "(disabled)";
            LogHealthy(logger, watched.Count, elapsed.TotalSeconds, gateway.GetEndpoint("http").Url, dashboard);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task LogStateChangesAsync(ResourceNotificationService notifications, ILogger logger, CancellationToken stopping)
    {
        try
        {
            var started = Process.GetCurrentProcess().StartTime.ToUniversalTime();
            var last = new Dictionary<string, (string, string)>();
            await foreach (var update in notifications.WatchAsync(stopping))
            {
                // Only changes of state or health: a resource publishes many updates (URLs, properties, logs).
                var now = (update.Snapshot.State?.Text ?? "?", update.Snapshot.HealthStatus?.ToString() ?? "-");
                if (last.TryGetValue(update.Resource.Name, out var before) && before == now)
                {
                    continue;
                }
                last[update.Resource.Name] = now;
                LogState(logger, (DateTime.UtcNow - started).TotalSeconds, update.Resource.Name, now.Item1, now.Item2);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "All {Count} resources are healthy, {Seconds:F1} s after start. Matcha: {GatewayUrl}  Dashboard: {DashboardUrl}")]
    private static partial void LogHealthy(ILogger logger, int count, double seconds, string gatewayUrl, string dashboardUrl);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Seconds,5:F1} s  {Resource}: {State} (health: {Health})")]
    private static partial void LogState(ILogger logger, double seconds, string resource, string state, string health);
}
