using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using StackExchange.Redis;

namespace Matcha.EventBus;

/// <summary>
/// Registration of the event bus: a producer adds its outbox relay, a consumer one
/// subscription per topic it reads. Both need the service's database (AddServiceDatabase)
/// and the <c>redis</c> client (ServiceDefaults' AddServiceRedis).
/// </summary>
public static class EventBus
{
    /// <summary>
    /// Relays this service's outbox (<see cref="EventTablesModel.AddEventOutbox"/>, in <typeparamref name="TContext"/>) to Redis Streams,
    /// with the relay <c>Events:Relay</c> names: <see cref="RelayKind.Notify"/> (the default) or
    /// <see cref="RelayKind.Cdc"/>, which reads the database <paramref name="connectionName"/> through
    /// a replication connection of its own (the pooled data source does not give out the password).
    /// </summary>
    public static IHostApplicationBuilder AddEventOutboxRelay<TContext>(this IHostApplicationBuilder builder, string? connectionName = null)
        where TContext : DbContext
    {
        builder.AddEventBusCore();
        builder.Services.AddSingleton<OutboxWake>();
        builder.Services.ConfigureDbContext<TContext>((services, options) =>
            options.AddInterceptors(new OutboxWakeInterceptor(services.GetRequiredService<OutboxWake>())));
        builder.Services.AddSingleton<OutboxRelay>();
        builder.Services.AddSingleton<IEventLagSource, OutboxLag>();
        if (builder.Configuration.GetSection(EventBusOptions.Section).GetValue<RelayKind?>(nameof(EventBusOptions.Relay)) is RelayKind.Cdc)
        {
            var connectionString = (connectionName is null ? null : builder.Configuration.GetConnectionString(connectionName))
                ?? throw new InvalidOperationException($"{EventBusOptions.Section}:Relay=Cdc needs the outbox database's connection string: call AddEventOutboxRelay<TContext>(\"<connection name>\") and set ConnectionStrings:<connection name> (given: {connectionName ?? "none"}).");
            builder.Services.AddSingleton(new OutboxReplication(connectionString));
            builder.Services.AddHostedService<CdcRelay>();
            builder.Services.AddHealthChecks().AddCheck<ReplicationSlotHealthCheck>("events-slot");
        }
        else
        {
            builder.Services.AddHostedService(services => services.GetRequiredService<OutboxRelay>());
        }
        return builder;
    }

    /// <summary>
    /// Consumes <paramref name="topic"/> as the consumer group <paramref name="subscription"/>,
    /// applying each event with <typeparamref name="TApplier"/> inside <typeparamref name="TContext"/>'s
    /// transaction (<see cref="EventTablesModel.AddEventInbox"/>).
    /// </summary>
    public static IHostApplicationBuilder AddEventSubscription<TContext, TApplier>(this IHostApplicationBuilder builder, string subscription, string topic)
        where TContext : DbContext
        where TApplier : class, IEventApplier<TContext>
    {
        builder.AddEventBusCore();
        builder.Services.AddScoped<TApplier>();
        builder.Services.AddSingleton<IEventSubscription>(services => new EventSubscription<TContext, TApplier>(
            subscription, topic, services.GetRequiredService<IServiceScopeFactory>(), services.GetRequiredService<IOptions<EventBusOptions>>(),
            services.GetRequiredService<ILogger<IEventSubscription>>()));
        // Not AddHostedService: that would keep only one consumer per implementation type.
        builder.Services.AddSingleton<IHostedService>(services => new EventConsumer(
            services.GetServices<IEventSubscription>().Single(s => s.Name == subscription),
            services.GetRequiredService<IConnectionMultiplexer>(),
            services.GetRequiredService<IOptions<EventBusOptions>>(),
            services.GetRequiredService<ILogger<EventConsumer>>()));
        builder.Services.AddSingleton<IEventLagSource>(services => new ConsumerLag(
            services.GetServices<IEventSubscription>().Single(s => s.Name == subscription),
            services.GetRequiredService<IConnectionMultiplexer>()));
        return builder;
    }

    private static void AddEventBusCore(this IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(s => s.ServiceType == typeof(EventBusMarker)))
        {
            return;
        }
        builder.Services.TryAddSingleton<EventBusMarker>();
        builder.Services.AddOptions<EventBusOptions>()
            .BindConfiguration(EventBusOptions.Section)
            .Validate(o => o.IsValid(), $"{EventBusOptions.Section}: every size, interval and attempt count must be positive and StreamPrefix set.")
            .ValidateOnStart();
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(EventTelemetry.SourceName));
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(EventLagMonitor.MeterName));
        builder.Services.AddSingleton<EventLagMonitor>();
        builder.Services.AddHostedService(services => services.GetRequiredService<EventLagMonitor>());
        builder.Services.AddHealthChecks().AddCheck<EventBackboneHealthCheck>("events");
    }

    private sealed class EventBusMarker;
}
