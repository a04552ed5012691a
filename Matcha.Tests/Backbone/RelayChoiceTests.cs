using Matcha.EventBus;
using Matcha.Ratings.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Matcha.Tests.Backbone;

/// <summary><c>Events:Relay</c> picks the relay a producing service runs; the change-data-capture one brings its slot's health check.</summary>
public sealed class RelayChoiceTests
{
    private const string ConnectionString = "Host=localhost;Database=ratingsdb;Username=postgres;Password=secret";

    [Fact]
    public void WithoutASettingTheTableRelayRunsAndNoSlotIsChecked()
    {
        using var host = Build(relay: null).Build();

        Assert.Contains(host.Services.GetServices<IHostedService>(), s => s is OutboxRelay);
        Assert.DoesNotContain(host.Services.GetServices<IHostedService>(), s => s is CdcRelay);
        Assert.DoesNotContain("events-slot", HealthChecks(host));
    }

    [Fact]
    public void CdcRunsTheChangeDataCaptureRelayOnTheNamedDatabaseWithItsSlotChecked()
    {
        using var host = Build(relay: "cdc").Build();

        Assert.Contains(host.Services.GetServices<IHostedService>(), s => s is CdcRelay);
        Assert.DoesNotContain(host.Services.GetServices<IHostedService>(), s => s is OutboxRelay);
        Assert.Contains("events-slot", HealthChecks(host));
        Assert.Equal("matcha_outbox_ratingsdb", host.Services.GetRequiredService<OutboxReplication>().Slot);
        Assert.Equal(RelayKind.Cdc, host.Services.GetRequiredService<IOptions<EventBusOptions>>().Value.Relay);
    }

    [Fact]
    public void CdcWithoutTheDatabasesConnectionStringStopsTheStartNamingIt()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection([new("Events:Relay", "Cdc")]);

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddEventOutboxRelay<RatingsDbContext>("ratingsdb"));

        Assert.Contains("ConnectionStrings:<connection name>", error.Message);
        Assert.Contains("ratingsdb", error.Message);
    }

    private static HostApplicationBuilder Build(string? relay)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:ratingsdb", ConnectionString), new("Events:Relay", relay)]);
        builder.Services.AddSingleton(Npgsql.NpgsqlDataSource.Create(ConnectionString));
        builder.Services.AddSingleton(TimeProvider.System);
        // Never reached: nothing here starts.
        builder.Services.AddSingleton<StackExchange.Redis.IConnectionMultiplexer>(_ =>
            StackExchange.Redis.ConnectionMultiplexer.Connect("localhost:1,abortConnect=false,connectTimeout=100"));
        builder.AddEventOutboxRelay<RatingsDbContext>("ratingsdb");
        return builder;
    }

    private static List<string> HealthChecks(IHost host) =>
        [.. host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Select(r => r.Name)];
}
