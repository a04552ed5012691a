namespace Matcha.AppHost.Infrastructure;

public enum InfrastructureMode
{
    /// <summary>Containers when a container runtime answers, else local processes.</summary>
    Auto,
    Containers,
    Local,
}

/// <summary>How Redis runs: one server (standalone), or a Redis Cluster of local processes (docs/scaling.md, "Redis Cluster").</summary>
public enum RedisTopology
{
    Standalone,
    /// <summary>Three <c>redis-server --cluster-enabled yes</c> masters; local-process mode only.</summary>
    Cluster,
}

/// <summary>How Postgres runs: one server, or a primary and a streaming-replication hot standby (docs/scaling.md, "Postgres standby").</summary>
public enum PostgresTopology
{
    Primary,
    /// <summary>A second local <c>postgres</c>, copied by <c>pg_basebackup</c> and streaming from the primary; local-process mode only.</summary>
    Standby,
}

/// <summary>
/// The <c>Matcha:Infrastructure</c> settings, from appsettings, environment
/// (<c>Matcha__Infrastructure__Mode=local</c>) or the command line
/// (<c>--Matcha:Infrastructure:Mode=local</c>).
/// </summary>
public sealed class InfrastructureOptions
{
    public const string Section = "Matcha:Infrastructure";

    public InfrastructureMode Mode { get; set; } = InfrastructureMode.Auto;

    /// <summary>One Redis (the default) or a Redis Cluster (<c>--redis cluster</c>, which runs local processes).</summary>
    public RedisTopology Redis { get; set; } = RedisTopology.Standalone;

    /// <summary>One Postgres (the default) or a primary and a hot standby (<c>--postgres standby</c>, which runs local processes).</summary>
    public PostgresTopology Postgres { get; set; } = PostgresTopology.Primary;

    /// <summary>The standby's replay lag above which its health check says Degraded.</summary>
    public double StandbyLagThresholdSeconds { get; set; } = 5;

    /// <summary>Where local Postgres and Redis keep their data. Default: see <see cref="LocalDataFolder"/>.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Delete the local data folder before starting (a fresh, empty Matcha).</summary>
    public bool ResetData { get; set; }

    /// <summary>Throw-away data: a fresh folder, deleted when the AppHost stops. Tests set this.</summary>
    public bool Ephemeral { get; set; }
}
