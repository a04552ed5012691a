using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Matcha.AppHost.Infrastructure;

internal static class LocalPostgresExtensions
{
    /// <summary>
    /// Runs the machine's <c>postgres</c> on a free loopback port, TCP only, with a data folder
    /// that <c>initdb</c> fills on first start and a scram-sha-256 password that persists with it.
    /// </summary>
    public static IResourceBuilder<LocalPostgresServerResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, LocalBinaries binaries, LocalDataFolder data)
    {
        var password = builder.AddParameter($"{name}-password", ReadOrCreatePassword(data), secret: true);
        var runAs = RunAsPostgresAccount();
        var server = new LocalPostgresServerResource(name, runAs.Length > 0 ? "setpriv" : binaries.Postgres, data.Root, password.Resource);

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server, (@event, ct) =>
            InitDbIfEmptyAsync(binaries, data, runAs, @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server), ct));

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(server, async (_, ct) =>
            connectionString = await server.ConnectionStringExpression.GetValueAsync(ct));
        builder.Eventing.Subscribe<ResourceReadyEvent>(server, (_, ct) => CreateDatabasesAsync(server, connectionString!, ct));
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, cancellationToken) =>
        {
            var stopping = @event.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            _ = MirrorStateAsync(server, server.Databases, @event.Services.GetRequiredService<ResourceNotificationService>(), stopping);
            return Task.CompletedTask;
        });

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => connectionString ?? throw new InvalidOperationException("Connection string is unavailable"), name: healthCheckKey);

        return builder.AddResource(server)
            .WithEndpoint(name: LocalPostgresServerResource.PrimaryEndpointName, scheme: "tcp", isProxied: false)   // its own port: every query crossed Aspire's proxy twice (docs/running.md, "Addresses")
            .WithArgs(context =>
            {
                foreach (var arg in runAs)
                {
                    context.Args.Add(arg);
                }
                context.Args.Add(binaries.Postgres);
                context.Args.Add("-D");
                context.Args.Add(data.PostgresData);
                context.Args.Add("-p");
                context.Args.Add(server.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                foreach (var setting in ServerSettings(data))
                {
                    context.Args.Add("-c");
                    context.Args.Add(setting);
                }
            })
            .WithIconName("DatabaseMultiple")
            .WithHealthCheck(healthCheckKey);
    }

    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<LocalPostgresServerResource> server, string name)
    {
        var database = new LocalPostgresDatabaseResource(name, name, server.Resource);
        server.Resource.Databases.Add(database);

        string? connectionString = null;
        server.ApplicationBuilder.Eventing.Subscribe<ConnectionStringAvailableEvent>(database, async (_, ct) =>
            connectionString = await database.ConnectionStringExpression.GetValueAsync(ct));

        var healthCheckKey = $"{name}_check";
        server.ApplicationBuilder.Services.AddHealthChecks().AddNpgSql(
            _ => connectionString ?? throw new InvalidOperationException("Connection string is unavailable"), name: healthCheckKey);

        return server.ApplicationBuilder.AddResource(database).WithHealthCheck(healthCheckKey);
    }

    internal static IEnumerable<string> ServerSettings(LocalDataFolder data)
    {
        yield return "listen_addresses=127.0.0.1";
        foreach (var setting in MatchaInfrastructure.PostgresSettings)
        {
            yield return setting;
        }
        yield return "unix_socket_directories=";   // TCP only: no socket folder to own or clean up
        // Postgres logs to stderr, which the dashboard shows as errors: keep routine lines out.
        yield return "log_min_messages=warning";
        yield return "log_checkpoints=off";
        if (data.Ephemeral)
        {
            // Throw-away data need not survive a power cut; a process crash still loses nothing.
            yield return "fsync=off";
            yield return "full_page_writes=off";
        }
    }

    /// <summary>As root, postgres must run as its own account; setpriv execs it (no extra process to signal).</summary>
    private static string[] RunAsPostgresAccount() => LocalBinaries.RunningAsRoot
        ? [$"--reuid={LocalBinaries.PostgresAccount}", $"--regid={LocalBinaries.PostgresAccount}", "--init-groups", "--"]
        : [];

    private static string ReadOrCreatePassword(LocalDataFolder data)
    {
        var initialised = File.Exists(Path.Combine(data.PostgresData, "PG_VERSION"));
        if (initialised && File.Exists(data.PostgresPasswordFile))
        {
            return File.ReadAllText(data.PostgresPasswordFile).Trim();
        }
        if (initialised)
        {
            throw new DistributedApplicationException(
                $"The Postgres data folder {data.PostgresData} has no password file beside it. Start once with --reset-data to begin afresh.");
        }

        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        LocalDataFolder.WriteSecretFile(data.PostgresPasswordFile, password);
        return password;
    }

    private static async Task InitDbIfEmptyAsync(LocalBinaries binaries, LocalDataFolder data, string[] runAs, ILogger logger, CancellationToken ct)
    {
        if (File.Exists(Path.Combine(data.PostgresData, "PG_VERSION")))
        {
            return;
        }

        logger.LogInformation("Initialising a new Postgres data folder in {Folder}", data.PostgresData);
        var passwordFile = Path.Combine(data.Root, "initdb.pw");
        LocalDataFolder.WriteSecretFile(passwordFile, await File.ReadAllTextAsync(data.PostgresPasswordFile, ct));
        if (runAs.Length > 0)
        {
            LocalDataFolder.Run("chown", LocalBinaries.PostgresAccount, passwordFile);
        }

        try
        {
            string[] initdb = [binaries.InitDb, "-D", data.PostgresData, "-U", LocalPostgresServerResource.UserName,
                $"--pwfile={passwordFile}", "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8"];
            var startInfo = runAs.Length > 0 ? new ProcessStartInfo("setpriv", [.. runAs, .. initdb]) : new ProcessStartInfo(initdb[0], initdb[1..]);
            startInfo.RedirectStandardOutput = true;
            startInfo.RedirectStandardError = true;
            using var process = Process.Start(startInfo)!;
            var output = process.StandardOutput.ReadToEndAsync(ct);
            var error = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            if (process.ExitCode != 0)
            {
                throw new DistributedApplicationException($"initdb failed ({process.ExitCode}): {await error}{await output}");
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>
    /// Aspire propagates a container's state to its child resources, not an executable's;
    /// so the databases follow the server here, and their health checks start when it runs.
    /// </summary>
    internal static async Task MirrorStateAsync(
        IResource server, IEnumerable<IResource> databases, ResourceNotificationService notifications, CancellationToken stopping)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(stopping))
            {
                if (update.Resource != server)
                {
                    continue;
                }
                foreach (var database in databases)
                {
                    await notifications.PublishUpdateAsync(database, s => s with
                    {
                        State = update.Snapshot.State,
                        StartTimeStamp = update.Snapshot.StartTimeStamp,
                        StopTimeStamp = update.Snapshot.StopTimeStamp,
                    });
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task CreateDatabasesAsync(LocalPostgresServerResource server, string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Database=postgres");
        await connection.OpenAsync(ct);
        foreach (var databaseName in server.Databases.Select(d => d.DatabaseName))
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = databaseName } } };
            if (await exists.ExecuteScalarAsync(ct) is null)
            {
                var quoted = new NpgsqlCommandBuilder().QuoteIdentifier(databaseName);
                await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
                await create.ExecuteNonQueryAsync(ct);
            }
        }
    }
}
