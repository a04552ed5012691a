using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Matcha.AppHost.Infrastructure;

/// <summary>
/// Postgres and Redis for Matcha, as containers or as local processes. Either way the
/// resources have the same names, health checks and connection-string shapes.
/// </summary>
public sealed class MatchaInfrastructure
{
    private readonly IDistributedApplicationBuilder _builder;
    private readonly LocalInfrastructure? _local;

    private readonly TimeSpan _standbyLagThreshold;

    private MatchaInfrastructure(IDistributedApplicationBuilder builder, InfrastructureMode mode, RedisTopology redis, PostgresTopology postgres,
        TimeSpan standbyLagThreshold, LocalInfrastructure? local)
    {
        _builder = builder;
        Mode = mode;
        Redis = redis;
        Postgres = postgres;
        _standbyLagThreshold = standbyLagThreshold;
        _local = local;
    }

    public InfrastructureMode Mode { get; }

    public RedisTopology Redis { get; }

    public PostgresTopology Postgres { get; }

    internal static MatchaInfrastructure Create(IDistributedApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(InfrastructureOptions.Section).Get<InfrastructureOptions>() ?? new();
        if (options.Redis is RedisTopology.Cluster && options.Mode is InfrastructureMode.Containers)
        {
            throw new DistributedApplicationException(
                "A Redis Cluster runs as local processes only (Matcha:Infrastructure:Redis=Cluster needs Mode Local or Auto); container mode keeps one Redis.");
        }
        if (options.Postgres is PostgresTopology.Standby && options.Mode is InfrastructureMode.Containers)
        {
            throw new DistributedApplicationException(
                "A Postgres standby runs as local processes only (Matcha:Infrastructure:Postgres=Standby needs Mode Local or Auto); container mode keeps only the primary.");
        }
        var mode = options.Mode switch
        {
            // A cluster is made of the machine's own redis-server processes, whatever runtime answers.
            InfrastructureMode.Auto when options.Redis is RedisTopology.Cluster => InfrastructureMode.Local,
            // So is a standby: a second local postgres, copied from the first.
            InfrastructureMode.Auto when options.Postgres is PostgresTopology.Standby => InfrastructureMode.Local,
            InfrastructureMode.Auto when ContainerRuntime.Answers(builder.Configuration["ASPIRE_CONTAINER_RUNTIME"]) => InfrastructureMode.Containers,
            InfrastructureMode.Auto => InfrastructureMode.Local,
            var chosen => chosen,
        };

        var lagThreshold = TimeSpan.FromSeconds(options.StandbyLagThresholdSeconds);
        if (mode is InfrastructureMode.Containers)
        {
            return new MatchaInfrastructure(builder, mode, options.Redis, options.Postgres, lagThreshold, local: null);
        }

        var binaries = LocalBinaries.Find() ?? throw new DistributedApplicationException(
            $"No container runtime answered and {LocalBinaries.DescribeMissing()} could not be found. {LocalBinaries.InstallHint}");
        // Nothing of a local run is a container (the mail sink neither): the orchestrator need not poll a runtime.
        // A DcpPublisher:ContainerRuntime the operator set stands.
        if (builder.Configuration[ContainerRuntime.OrchestratorRuntimeKey] is null
            && ContainerRuntime.NotInstalled(LocalBinaries.FindOnPath) is { } notInstalled)
        {
            builder.Configuration[ContainerRuntime.OrchestratorRuntimeKey] = notInstalled;
        }
        return new MatchaInfrastructure(builder, mode, options.Redis, options.Postgres, lagThreshold, LocalInfrastructure.Create(builder, options, binaries));
    }

    /// <summary>
    /// Postgres's default (100) is less than three services' connection pools can ask for (Npgsql's
    /// default is 100 each), before replicas and tools: under load the server refused new clients
    /// ("53300: too many clients already"). Each pool keeps its idle connections for minutes.
    /// </summary>
    public const int PostgresMaxConnections = 300;

    /// <summary>
    /// Settings both kinds of Postgres run with. <c>wal_level=logical</c> lets the outbox be read by
    /// change data capture through a replication slot (<c>events-relay=cdc</c>, docs/events.md); a slot
    /// whose reader is down retains WAL, so <c>max_slot_wal_keep_size</c> bounds what it can hold back
    /// (past that Postgres invalidates the slot, and the relay recreates it and sweeps the outbox table). <c>autovacuum_naptime=5s</c>:
    /// autovacuum visits each database every 5 s rather than every minute, so the outbox tables'
    /// own thresholds (a vacuum per thousand published rows, <c>EventTablesModel</c>) take effect
    /// at a write rate of hundreds a second; a visit that finds nothing to do costs nothing. Not
    /// <c>track_commit_timestamp</c>: with it every commit also writes its time under one lock, which
    /// only the load and scale benchmarks read, and they turn the setting on for their own runs
    /// (docs/performance.md, "What the steady phase's services and commits wait for").
    /// </summary>
    public static readonly string[] PostgresSettings =
    [
        $"max_connections={PostgresMaxConnections}",
        "wal_level=logical",
        "max_replication_slots=10",
        "max_wal_senders=10",
        "max_slot_wal_keep_size=1GB",
        "autovacuum_naptime=5s",
    ];

    public PostgresServer AddPostgres(string name)
    {
        if (_local is { } local)
        {
            var server = _builder.AddLocalPostgres(name, local.Binaries, local.Data);
            var standby = Postgres is PostgresTopology.Standby
                ? _builder.AddLocalPostgresStandby($"{name}-standby", server, local.Binaries, local.Data, _standbyLagThreshold)
                : null;
            return new PostgresServer(server, database => server.AddDatabase(database),
                standby is null ? null : (replica, database) => standby.AddReplicaDatabase(replica, database));
        }

        var container = _builder.AddPostgres(name).WithArgs([.. PostgresSettings.SelectMany(setting => new[] { "-c", setting })]);
        if (!_builder.ExecutionContext.IsPublishMode)
        {
            container.WithDataVolume();
        }
        return new PostgresServer(container, database => container.AddDatabase(database));
    }

    public IResourceBuilder<IResourceWithConnectionString> AddRedis(string name)
    {
        if (_local is { } local)
        {
            return Redis is RedisTopology.Cluster
                ? _builder.AddLocalRedisCluster(name, local.Binaries, local.Data)
                : _builder.AddLocalRedis(name, local.Binaries, local.Data);
        }

        var container = _builder.AddRedis(name);
        return _builder.ExecutionContext.IsPublishMode ? container : container.WithDataVolume();
    }
}

/// <summary>A Postgres server of either kind, and the way to add a database to it.</summary>
public sealed class PostgresServer(
    IResourceBuilder<IResourceWithConnectionString> server,
    Func<string, IResourceBuilder<IResourceWithConnectionString>> addDatabase,
    Func<string, string, IResourceBuilder<IResourceWithConnectionString>>? addReplicaDatabase = null)
{
    public IResourceBuilder<IResourceWithConnectionString> Server { get; } = server;

    public IResourceBuilder<IResourceWithConnectionString> AddDatabase(string name) => addDatabase(name);

    /// <summary>
    /// With a standby (<c>Matcha:Infrastructure:Postgres=Standby</c>), the connection <paramref name="name"/>
    /// to <paramref name="database"/> on the standby, falling back to the primary; otherwise null, and
    /// the service reads its one database.
    /// </summary>
    public IResourceBuilder<IResourceWithConnectionString>? AddReplicaDatabase(string name, string database) =>
        addReplicaDatabase?.Invoke(name, database);
}

/// <summary>What local-process mode shares between Postgres and Redis.</summary>
internal sealed record LocalInfrastructure(LocalBinaries Binaries, LocalDataFolder Data)
{
    /// <summary>
    /// Set on every process a local run starts (and so inherited by each child, such as
    /// Postgres backends), with <see cref="LeftoverProcesses.OwnerVariable"/>: an operator, a test
    /// or the next start can find every process of one run.
    /// </summary>
    public const string DataDirectoryVariable = "MATCHA_DATA_DIRECTORY";

    public static LocalInfrastructure Create(IDistributedApplicationBuilder builder, InfrastructureOptions options, LocalBinaries binaries)
    {
        var data = LocalDataFolder.Prepare(options);
        builder.Eventing.Subscribe<BeforeStartEvent>(async (@event, cancellationToken) =>
        {
            // Before anything starts: what a killed run left running on this folder would hold it (LeftoverProcesses).
            await LeftoverProcesses.StopAsync(
                data.Root, @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LeftoverProcesses)),
                LeftoverProcesses.Grace, cancellationToken);
            // Every process of the run carries the marks, the services and the mail sink too: a gateway a killed run
            // left would hold the gateway's port, and its services would retry a Postgres that is gone for ever.
            foreach (var resource in @event.Model.Resources.Where(r => r is ExecutableResource or ProjectResource))
            {
                resource.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
                {
                    context.EnvironmentVariables[DataDirectoryVariable] = data.Root;
                    context.EnvironmentVariables[LeftoverProcesses.OwnerVariable] = LeftoverProcesses.CurrentOwner;
                }));
            }
        });
        if (data.Ephemeral)
        {
            builder.Eventing.Subscribe<AfterResourcesCreatedEvent>((@event, _) =>
            {
                @event.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(data.Delete);
                return Task.CompletedTask;
            });
        }
        return new LocalInfrastructure(binaries, data);
    }
}

public static class MatchaInfrastructureExtensions
{
    /// <summary>Reads <c>Matcha:Infrastructure</c> and decides, once, how Postgres and Redis run.</summary>
    public static MatchaInfrastructure AddMatchaInfrastructure(this IDistributedApplicationBuilder builder) =>
        MatchaInfrastructure.Create(builder);
}
