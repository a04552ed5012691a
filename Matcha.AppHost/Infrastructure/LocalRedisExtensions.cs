using Microsoft.Extensions.DependencyInjection;
using System.Security.Cryptography;

namespace Matcha.AppHost.Infrastructure;

internal static class LocalRedisExtensions
{
    /// <summary>
    /// Runs the machine's <c>redis-server</c> on a free loopback port. The password goes in a
    /// config file (mode 600), not on the command line where any process list would show it.
    /// Persistent data is kept with an append-only file, so event streams survive a restart.
    /// </summary>
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(
        this IDistributedApplicationBuilder builder, string name, LocalBinaries binaries, LocalDataFolder data)
    {
        var passwordValue = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        var password = builder.AddParameter($"{name}-password", passwordValue, secret: true);
        var configFile = WriteConfig(data, passwordValue);
        var redis = new LocalRedisResource(name, binaries.RedisServer, data.RedisData, password.Resource);

        var healthCheckKey = AddRedisHealthCheck(builder, redis);

        return builder.AddResource(redis)
            .WithEndpoint(name: LocalRedisResource.PrimaryEndpointName, scheme: "tcp", isProxied: false)   // its own port: every query crossed Aspire's proxy twice (docs/running.md, "Addresses")
            .WithArgs(context =>
            {
                context.Args.Add(configFile);
                context.Args.Add("--port");
                context.Args.Add(redis.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
            })
            .WithIconName("Memory")
            .WithHealthCheck(healthCheckKey);
    }

    /// <summary>
    /// A health check that PINGs the resource once its connection string is known (for a cluster,
    /// AspNetCore.HealthChecks.Redis asks each node for CLUSTER INFO and wants cluster_state:ok).
    /// </summary>
    internal static string AddRedisHealthCheck(IDistributedApplicationBuilder builder, IResourceWithConnectionString redis)
    {
        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(redis, async (_, ct) =>
            connectionString = await redis.ConnectionStringExpression.GetValueAsync(ct));
        var healthCheckKey = $"{redis.Name}_check";
        builder.Services.AddHealthChecks().AddRedis(
            _ => connectionString ?? throw new InvalidOperationException("Connection string is unavailable"), name: healthCheckKey);
        return healthCheckKey;
    }

    private static string WriteConfig(LocalDataFolder data, string password)
    {
        var path = Path.Combine(data.Root, "redis.conf");
        var persistence = data.Ephemeral
            ? "appendonly no"
            : "appendonly yes\nappendfsync everysec";
        LocalDataFolder.WriteSecretFile(path, $"""
            bind 127.0.0.1
            protected-mode yes
            daemonize no
            # The environment stays readable in /proc, where the next start looks for what a killed run left (LeftoverProcesses).
            set-proc-title no
            dir {data.RedisData}
            save ""
            {persistence}
            requirepass {password}
            """);
        return path;
    }
}
