using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Matcha.AppHost.Infrastructure;

internal static class LocalPostgresStandbyExtensions
{
    /// <summary>
    /// Runs a hot standby of <paramref name="primary"/> as a second local <c>postgres</c> on a free
    /// loopback port: when the primary is ready the AppHost (re)creates the replication role
    /// <see cref="LocalPostgresStandbyResource.ReplicationUser"/> with a fresh password, written to a
    /// pgpass file only the postgres account reads, and the physical slot
    /// <see cref="LocalPostgresStandbyResource.SlotName"/>; <c>postgres-standby.sh</c> copies the primary
    /// with <c>pg_basebackup -R</c> the first time and then streams from it. Its health check reports the
    /// replay lag: Degraded above <paramref name="lagThreshold"/>, Unhealthy when it does not answer.
    /// </summary>
    public static IResourceBuilder<LocalPostgresStandbyResource> AddLocalPostgresStandby(
        this IDistributedApplicationBuilder builder, string name, IResourceBuilder<LocalPostgresServerResource> primary,
        LocalBinaries binaries, LocalDataFolder data, TimeSpan lagThreshold)
    {
        var runAsRoot = LocalBinaries.RunningAsRoot;
        var bash = LocalBinaries.FindOnPath("bash") ?? "/bin/bash";
        var binDirectory = Path.GetDirectoryName(binaries.Postgres)!;
        var directory = Path.Combine(data.Root, "postgres-standby");
        Directory.CreateDirectory(directory);
        var script = WriteScript(data.Root);
        var passFile = Path.Combine(data.Root, "postgres-standby.pgpass");
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        LocalDataFolder.WriteSecretFile(passFile, $"*:*:*:{LocalPostgresStandbyResource.ReplicationUser}:{password}\n");
        if (runAsRoot)
        {
            LocalDataFolder.Run("chown", LocalBinaries.PostgresAccount, directory, passFile);
        }

        var standby = new LocalPostgresStandbyResource(name, runAsRoot ? "setpriv" : bash, data.Root, primary.Resource);

        // The role and the slot, before the standby's first pg_basebackup (which retries until they exist).
        builder.Eventing.Subscribe<ResourceReadyEvent>(primary.Resource, async (_, ct) =>
            await PrepareReplicationAsync(await primary.Resource.ConnectionStringExpression.GetValueAsync(ct) ?? "", password, ct));

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(standby, async (_, ct) =>
            connectionString = await standby.ConnectionStringExpression.GetValueAsync(ct));
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, cancellationToken) =>
        {
            var stopping = @event.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            _ = LocalPostgresExtensions.MirrorStateAsync(standby, standby.Databases, @event.Services.GetRequiredService<ResourceNotificationService>(), stopping);
            return Task.CompletedTask;
        });

        var healthCheckKey = $"{name}_lag";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheckKey,
            _ => new StandbyLagHealthCheck(() => connectionString ?? throw new InvalidOperationException("Connection string is unavailable"), lagThreshold),
            failureStatus: HealthStatus.Unhealthy, tags: null));

        return builder.AddResource(standby)
            .WithEndpoint(name: LocalPostgresStandbyResource.PrimaryEndpointName, scheme: "tcp", isProxied: false)   // its own port: every query crossed Aspire's proxy twice (docs/running.md, "Addresses")
            .WithArgs(context =>
            {
                if (runAsRoot)
                {
                    context.Args.Add($"--reuid={LocalBinaries.PostgresAccount}");
                    context.Args.Add($"--regid={LocalBinaries.PostgresAccount}");
                    context.Args.Add("--init-groups");
                    context.Args.Add("--");
                    context.Args.Add(bash);
                }
                context.Args.Add(script);
                context.Args.Add(Path.Combine(binDirectory, "pg_basebackup"));
                context.Args.Add(binaries.Postgres);
                context.Args.Add(directory);
                context.Args.Add("127.0.0.1");
                // Through the primary's allocated port: its target port is known to its own process only.
                context.Args.Add(primary.Resource.PrimaryEndpoint.Property(EndpointProperty.Port));
                context.Args.Add(passFile);
                context.Args.Add(LocalPostgresStandbyResource.SlotName);
                context.Args.Add(standby.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                foreach (var setting in LocalPostgresExtensions.ServerSettings(data))
                {
                    context.Args.Add(setting);
                }
            })
            .WaitFor(primary)
            .WithIconName("DatabaseArrowRight")
            .WithHealthCheck(healthCheckKey);
    }

    /// <summary>A database on the standby (falling back to the primary), for a service's public reads.</summary>
    public static IResourceBuilder<LocalPostgresReplicaDatabaseResource> AddReplicaDatabase(
        this IResourceBuilder<LocalPostgresStandbyResource> standby, string name, string databaseName)
    {
        var database = new LocalPostgresReplicaDatabaseResource(name, databaseName, standby.Resource);
        standby.Resource.Databases.Add(database);
        return standby.ApplicationBuilder.AddResource(database);
    }

    private static async Task PrepareReplicationAsync(string primaryConnectionString, string password, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(primaryConnectionString + ";Database=postgres");
        await connection.OpenAsync(ct);
        // The password is hex the AppHost made: safe in the statement, which cannot take parameters.
        var role = LocalPostgresStandbyResource.ReplicationUser;
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_roles WHERE rolname = $1", connection) { Parameters = { new() { Value = role } } })
        {
            var verb = await exists.ExecuteScalarAsync(ct) is null ? "CREATE" : "ALTER";
            await using var command = new NpgsqlCommand($"{verb} ROLE {role} WITH LOGIN REPLICATION PASSWORD '{password}'", connection);
            await command.ExecuteNonQueryAsync(ct);
        }
        await using var slot = new NpgsqlCommand(
            "SELECT pg_create_physical_replication_slot($1) WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)", connection)
        {
            Parameters = { new() { Value = LocalPostgresStandbyResource.SlotName } },
        };
        await slot.ExecuteNonQueryAsync(ct);
    }

    private static string WriteScript(string root)
    {
        var path = Path.Combine(root, "postgres-standby.sh");
        using (var source = typeof(LocalPostgresStandbyExtensions).Assembly.GetManifestResourceStream("postgres-standby.sh")
            ?? throw new InvalidOperationException("postgres-standby.sh is not embedded in the AppHost."))
        using (var target = File.Create(path))
        {
            source.CopyTo(target);
        }
        if (!OperatingSystem.IsWindows())
        {
            // Read by bash as the postgres account when the AppHost runs as root.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        return path;
    }
}

/// <summary>
/// The standby's replay lag, asked of the standby itself: how long ago the last transaction it replayed
/// was committed on the primary, or 0 while it has replayed everything it received. Degraded above the
/// threshold or when no WAL receiver streams from the primary; Unhealthy when it does not answer or is
/// no longer in recovery (promoted, so no standby).
/// </summary>
internal sealed class StandbyLagHealthCheck(Func<string> connectionString, TimeSpan threshold) : IHealthCheck
{
    private const string LagQuery = """
        SELECT pg_is_in_recovery(),
               EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming'),
               CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                    ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END::float8
        """;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString() + ";Database=postgres;Timeout=5");
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(LagQuery, connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var inRecovery = reader.GetBoolean(0);
            var streaming = reader.GetBoolean(1);
            var lag = TimeSpan.FromSeconds(reader.GetDouble(2));
            var data = new Dictionary<string, object> { ["lag_seconds"] = lag.TotalSeconds, ["streaming"] = streaming };
            var seconds = lag.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            return (inRecovery, streaming, lag > threshold) switch
            {
                (false, _, _) => HealthCheckResult.Unhealthy("The standby is not in recovery: it was promoted and no longer follows the primary.", data: data),
                (_, false, _) => HealthCheckResult.Degraded($"The standby does not stream from the primary (replay lag {seconds} s).", data: data),
                (_, _, true) => HealthCheckResult.Degraded($"Replay lag {seconds} s is above {threshold.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.", data: data),
                _ => HealthCheckResult.Healthy($"Replay lag {seconds} s.", data),
            };
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("The standby does not answer.", e);
        }
    }
}
