using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Matcha.Bench;

/// <summary>
/// Where the services' telemetry goes during a benchmark, as it would go to a collector in a real
/// deployment. The testing builder runs no dashboard, so Aspire points the services' OTLP exporters
/// at its default address, where nothing listens: every export failed and was kept for a retry
/// (docs/performance.md, "Telemetry during the benchmarks"). <c>MATCHA_BENCH_TELEMETRY</c> chooses:
/// <list type="bullet">
/// <item><c>sink</c> (the default): OTLP over HTTP to this process, which reads each export and drops it;</item>
/// <item><c>off</c>: no exporter, spans are still made;</item>
/// <item><c>unreachable</c>: what the benchmarks did before, for a side-by-side run.</item>
/// </list>
/// </summary>
internal sealed class TelemetrySink : IAsyncDisposable
{
    private const string Variable = "MATCHA_BENCH_TELEMETRY";

    private readonly WebApplication? _app;
    private long _exports;
    private long _bytes;

    private TelemetrySink(string mode, WebApplication? app, string? endpoint) => (Mode, _app, Endpoint) = (mode, app, endpoint);

    public string Mode { get; }

    /// <summary>The OTLP/HTTP address the services export to; null when they do not export to this process.</summary>
    public string? Endpoint { get; }

    public long Exports => Interlocked.Read(ref _exports);

    public long Bytes => Interlocked.Read(ref _bytes);

    public static async Task<TelemetrySink> StartAsync()
    {
        var mode = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } chosen ? chosen.ToLowerInvariant() : "sink";
        if (mode is "off" or "unreachable")
        {
            return new TelemetrySink(mode, app: null, endpoint: null);
        }
        if (mode != "sink")
        {
            throw new ArgumentException($"{Variable} must be sink, off or unreachable, not '{mode}'.");
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        TelemetrySink? sink = null;
        app.Run(async context =>
        {
            var buffer = new byte[16 * 1024];
            long read = 0;
            int n;
            while ((n = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                read += n;
            }
            Interlocked.Increment(ref sink!._exports);
            Interlocked.Add(ref sink._bytes, read);
            // An empty protobuf message is a full success for every OTLP signal.
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/x-protobuf";
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        sink = new TelemetrySink(mode, app, address);
        return sink;
    }

    /// <summary>Points every project's exporter here, or turns it off; leaves Aspire's choice for <c>unreachable</c>.</summary>
    public void Configure(IDistributedApplicationTestingBuilder builder)
    {
        if (Mode == "unreachable")
        {
            return;
        }
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            var resource = builder.CreateResourceBuilder(project);
            if (Endpoint is null)
            {
                resource.WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", "");   // Telemetry.cs adds no exporter
            }
            else
            {
                resource.WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", Endpoint)
                    .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
            }
        }
    }

    public string Describe() => Mode switch
    {
        "sink" => $"telemetry: exported over OTLP/HTTP to the benchmark, {Exports:N0} exports, {Bytes / 1e6:N1} MB",
        "off" => "telemetry: no exporter (MATCHA_BENCH_TELEMETRY=off)",
        _ => "telemetry: exported to an address where nothing listens (MATCHA_BENCH_TELEMETRY=unreachable)",
    };

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
