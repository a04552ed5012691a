namespace Matcha.AppHost.Infrastructure;

/// <summary>
/// The machine's own <c>postgres</c>, run by the AppHost. Its connection string has the
/// same shape as Aspire's Postgres container, so services cannot tell which one runs.
/// </summary>
public sealed class LocalPostgresServerResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string PrimaryEndpointName = "tcp";
    public const string UserName = "postgres";

    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    public ParameterResource PasswordParameter { get; } = password;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={PasswordParameter}");

    internal List<LocalPostgresDatabaseResource> Databases { get; } = [];
}

/// <summary>A database on <see cref="LocalPostgresServerResource"/>, created when the server is ready.</summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresServerResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresServerResource>, IResourceWithConnectionString
{
    public LocalPostgresServerResource Parent { get; } = parent;

    public string DatabaseName { get; } = databaseName;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}

/// <summary>The machine's own <c>redis-server</c>, with Aspire's Redis connection-string shape.</summary>
public sealed class LocalRedisResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string PrimaryEndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    public ParameterResource PasswordParameter { get; } = password;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)},password={PasswordParameter}");
}

/// <summary>
/// A streaming-replication hot standby of <see cref="LocalPostgresServerResource"/>, the machine's own
/// <c>postgres</c> run by <c>postgres-standby.sh</c>. Read-only: it answers queries with what the
/// primary committed a moment ago (its lag is its health check).
/// </summary>
public sealed class LocalPostgresStandbyResource(string name, string command, string workingDirectory, LocalPostgresServerResource primary)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string PrimaryEndpointName = "tcp";

    /// <summary>The physical replication slot on the primary that keeps the WAL the standby has not yet received.</summary>
    public const string SlotName = "matcha_standby";

    /// <summary>The role the standby streams as: LOGIN REPLICATION, nothing else.</summary>
    public const string ReplicationUser = "replicator";

    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    public LocalPostgresServerResource Primary { get; } = primary;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={LocalPostgresServerResource.UserName};Password={Primary.PasswordParameter}");

    internal List<LocalPostgresReplicaDatabaseResource> Databases { get; } = [];
}

/// <summary>
/// A database read through the standby, falling back to the primary: the connection string lists
/// the standby first and the primary second with <c>Target Session Attributes=prefer-standby</c>, so
/// Npgsql opens connections on the standby while it answers and on the primary while it does not.
/// </summary>
public sealed class LocalPostgresReplicaDatabaseResource(string name, string databaseName, LocalPostgresStandbyResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresStandbyResource>, IResourceWithConnectionString
{
    public LocalPostgresStandbyResource Parent { get; } = parent;

    public string DatabaseName { get; } = databaseName;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={Parent.PrimaryEndpoint.Property(EndpointProperty.Host)}:{Parent.PrimaryEndpoint.Property(EndpointProperty.Port)},{Parent.Primary.PrimaryEndpoint.Property(EndpointProperty.Host)}:{Parent.Primary.PrimaryEndpoint.Property(EndpointProperty.Port)};Username={LocalPostgresServerResource.UserName};Password={Parent.Primary.PasswordParameter};Database={DatabaseName};Target Session Attributes=prefer-standby");
}
