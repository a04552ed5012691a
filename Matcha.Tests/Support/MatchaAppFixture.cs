using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Matcha.Tests.Support;

/// <summary>
/// One real Matcha, started through the AppHost for a whole test collection: Postgres and Redis
/// as local processes in a throw-away data folder, every service exporting its traces to
/// <see cref="Traces"/>. Tests use fresh data of their own; none relies on another's leftovers.
/// </summary>
public class MatchaAppFixture : IAsyncLifetime
{
    public static readonly string[] HealthReporting =
        ["postgres", "catalogdb", "ratingsdb", "accountsdb", "redis", "mail", "catalog", "ratings", "accounts", "gateway"];


    public DistributedApplication App { get; private set; } = null!;
    public OtlpTraceReceiver Traces { get; } = new();
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), $"matcha-test-{Guid.NewGuid():N}");

    public async Task InitializeAsync()
    {
        await Traces.StartAsync();
        var builder = await CreateBuilderAsync([.. LocalInfrastructureArgs(DataDirectory), .. AppHostArgs]);
        // Resource console output reaches the test log only when it is a warning or worse.
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Matcha.AppHost.Resources", LogLevel.Warning)
            // Postgres writes every line to stderr, routine ones included (a health check asking
            // for a database before it is created): its log is the dashboard's, not the test's.
            .AddFilter("Matcha.AppHost.Resources.postgres", LogLevel.None)
            .AddFilter("Aspire", LogLevel.Warning)
            // The AppHost's appsettings say Information by default; the test's own HttpClients
            // would log four lines for every request they send.
            .AddFilter("System.Net.Http", LogLevel.Warning));
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            builder.CreateResourceBuilder(project)
                .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", Traces.Endpoint)
                .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
                .WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", "100")
                // Event tests make thousands of spans; the default queue (2048) would drop the ones a later test counts.
                .WithEnvironment("OTEL_BSP_MAX_QUEUE_SIZE", "65536");
        }
        // Every test signs its users up from loopback: far more than one address may in an hour.
        // SignUpLimitTests checks the real limit on a replica of its own.
        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(p => p.Name == "accounts"))
            .WithEnvironment("Accounts__SignUpThrottle__MaxPerAddress", "1000000")
            // And every wrong password of every test counts against that one address: BruteForceTests
            // checks the real per-address limit on a replica of its own.
            .WithEnvironment("Accounts__LoginThrottle__MaxFailuresPerAddress", "10000");
        // Metrics every second (the default is a minute), so a test sees the gateway's circuits open
        // and a service's event lag as the dashboard would.
        foreach (var name in (string[])["gateway", "catalog", "ratings"])
        {
            builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(p => p.Name == name))
                .WithEnvironment("OTEL_METRIC_EXPORT_INTERVAL", "1000");
        }

        Configure(builder);

        App = await builder.BuildAsync();
        using var cts = new CancellationTokenSource(StartTimeout);
        await App.StartAsync(cts.Token);
        await App.WaitAllHealthyAsync(HealthReporting, cts.Token);
        GatewayAccounts.UseMailSink(App.GetEndpoint("gateway", "http"), App.GetEndpoint("mail", "http"));
    }

    /// <summary>How long the AppHost may take until every resource is healthy.</summary>
    protected virtual TimeSpan StartTimeout => TimeSpan.FromMinutes(4);

    /// <summary>Arguments a derived fixture gives the AppHost besides the local infrastructure's.</summary>
    protected virtual string[] AppHostArgs => [];

    /// <summary>What a derived fixture changes in the AppHost's resources before it is built.</summary>
    protected virtual void Configure(IDistributedApplicationTestingBuilder builder)
    {
    }

    public HttpClient CreateGatewayClient() => App.CreateHttpClient("gateway", "http");

    public async Task<string> ConnectionStringAsync(string resource) =>
        await App.GetConnectionStringAsync(resource) ?? throw new InvalidOperationException($"No connection string for {resource}.");

    /// <summary>An empty database of a test's own on the fixture's Postgres, named from <paramref name="prefix"/>; its connection string.</summary>
    public async Task<string> NewDatabaseAsync(string prefix)
    {
        var server = new NpgsqlConnectionStringBuilder(await ConnectionStringAsync("catalogdb"));
        var name = $"{prefix}_{Guid.NewGuid():N}";
        server.Database = "postgres";
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        server.Database = name;
        return server.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Traces.DisposeAsync();
    }

    /// <summary>
    /// The AppHost's testing builder, for every test that starts the AppHost. `./eng/test.sh --fast`
    /// sets MATCHA_FAST_TESTS=1 and leaves out classes with the trait Category=AppHost; a class that
    /// starts the AppHost without that trait fails here instead of making the fast run slow.
    /// </summary>
    public static Task<IDistributedApplicationTestingBuilder> CreateBuilderAsync(string[] args) =>
        Environment.GetEnvironmentVariable("MATCHA_FAST_TESTS") == "1"
            ? throw new InvalidOperationException("This test starts the AppHost, yet ran as a fast test: give its class [Trait(\"Category\", \"AppHost\")].")
            : DistributedApplicationTestingBuilder.CreateAsync<Projects.Matcha_AppHost>(args);

    /// <summary>The arguments that make the AppHost run Postgres and Redis locally, in a folder of the test's own.</summary>
    public static string[] LocalInfrastructureArgs(string dataDirectory) =>
    [
        "--Matcha:Infrastructure:Mode=Local",
        $"--Matcha:Infrastructure:DataDirectory={dataDirectory}",
        "--Matcha:Infrastructure:Ephemeral=true",
    ];
}

[CollectionDefinition(Name)]
public sealed class MatchaAppCollectionDefinition : ICollectionFixture<MatchaAppFixture>
{
    public const string Name = "Matcha app";
}
