using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Matcha.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Matcha.Bench;

/// <summary>A fresh Matcha for one benchmark: local Postgres and Redis in a throw-away folder, quiet logs.</summary>
internal static class BenchApp
{
    /// <summary>Where the services' telemetry goes (<c>MATCHA_BENCH_TELEMETRY</c>); one for the whole process.</summary>
    public static TelemetrySink Telemetry => _telemetry ?? throw new InvalidOperationException("No benchmark app has started yet.");

    private static TelemetrySink? _telemetry;

    /// <param name="resources">Keep only these (with the parameters); null keeps everything.</param>
    /// <param name="configure">Changes to the model before it starts, e.g. settings for the gateway.</param>
    /// <param name="args">More AppHost settings, e.g. <c>--Matcha:Infrastructure:Postgres=Standby</c>.</param>
    public static async Task<DistributedApplication> StartAsync(string[]? resources, Action<IDistributedApplicationTestingBuilder>? configure = null, string[]? args = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"matcha-bench-{Guid.NewGuid():N}");
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Matcha_AppHost>(
            ["--Matcha:Infrastructure:Mode=Local", $"--Matcha:Infrastructure:DataDirectory={folder}", "--Matcha:Infrastructure:Ephemeral=true", .. args ?? []]);
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            .AddFilter("Matcha.AppHost.Resources", LogLevel.Error)
            .AddFilter("Matcha.AppHost.Resources.postgres", LogLevel.None)
            // Resources are unhealthy while they start and stop; the benchmark waits for health itself.
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        if (resources is not null)
        {
            foreach (var resource in builder.Resources.Where(r => r is not ParameterResource && !resources.Contains(r.Name)).ToList())
            {
                builder.Resources.Remove(resource);
            }
        }
        // Side by side with another pool size (docs/performance.md, "A bounded pool"): every service's Database__MaxPoolSize.
        if (Environment.GetEnvironmentVariable("MATCHA_BENCH_POOL") is { } pool)
        {
            SetOnEveryService(builder, Matcha.Data.Database.MaxPoolSizeSetting.Replace(":", "__", StringComparison.Ordinal), pool);
        }
        // Runtime settings side by side without a build (docs/performance.md, "The steady phase, profiled"): `KEY=value;KEY=value`
        // into every service's environment, e.g. MATCHA_BENCH_SERVICE_ENV="DOTNET_gcServer=0".
        if (Environment.GetEnvironmentVariable("MATCHA_BENCH_SERVICE_ENV") is { Length: > 0 } serviceEnvironment)
        {
            foreach (var setting in serviceEnvironment.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var (name, value) = setting.Split('=', 2) is [var n, var v] ? (n, v) : throw new ArgumentException($"MATCHA_BENCH_SERVICE_ENV: '{setting}' is not KEY=value");
                SetOnEveryService(builder, name, value);
            }
        }
        _telemetry ??= await TelemetrySink.StartAsync();
        _telemetry.Configure(builder);
        configure?.Invoke(builder);

        var app = await builder.BuildAsync();
        await app.StartAsync();
        var healthReporting = builder.Resources.Where(r => r.Annotations.OfType<HealthCheckAnnotation>().Any()).Select(r => r.Name);
        await Task.WhenAll(healthReporting.Select(name => app.ResourceNotifications.WaitForResourceHealthyAsync(name)));
        if (builder.Resources.Any(r => r.Name == "gateway") && builder.Resources.Any(r => r.Name == "mail"))
        {
            // Sign-ups are verified through the mail sink, as the tests do (GatewayAccounts).
            GatewayAccounts.UseMailSink(app.GetEndpoint("gateway", "http"), app.GetEndpoint("mail", "http"));
        }
        return app;
    }

    private static void SetOnEveryService(IDistributedApplicationTestingBuilder builder, string name, string value)
    {
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            builder.CreateResourceBuilder(project).WithEnvironment(name, value);
        }
    }
}
