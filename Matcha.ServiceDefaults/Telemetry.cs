using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Matcha.ServiceDefaults;

public static class Telemetry
{
    /// <summary>The names under which the OTLP exporters ask IHttpClientFactory for their clients.</summary>
    internal static readonly string[] ExporterClients = ["OtlpTraceExporter", "OtlpMetricExporter", "OtlpLogExporter"];

    /// <summary>
    /// Logs, metrics and traces over OTLP when the AppHost (or an operator) sets
    /// OTEL_EXPORTER_OTLP_ENDPOINT. Npgsql and Redis register their own sources through
    /// the Aspire client integrations; health probes are left out of the traces.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                // resilience.polly.strategy.events: retries, timeouts, circuits opening and closing.
                .AddMeter("Polly"))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddAspNetCoreInstrumentation(aspnet =>
                    aspnet.Filter = context => !HealthChecks.IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
            // The exporters send through clients of their own from IHttpClientFactory, by these names, which the
            // defaults would wrap in the standard resilience handler: retries stacked on the exporter's own, and, as
            // the process stops, a pipeline the container has already disposed. The last batch then failed, the
            // exporter tried it again for seconds, and a graceful stop took 5-9 s and lost the service's last logs.
            foreach (var exporter in ExporterClients)
            {
                builder.Services.AddHttpClient(exporter).ReplaceDefaultResilience();
            }
        }

        return builder;
    }
}
