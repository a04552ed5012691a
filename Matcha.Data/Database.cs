using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Matcha.Data;

public static class Database
{
    /// <summary>
    /// Registers the service's own Postgres database: one pooled <see cref="NpgsqlDataSource"/>
    /// from the Aspire integration (health check, tracing, metrics) shared by EF Core and raw
    /// Npgsql, a pooled <typeparamref name="TContext"/> on top of it, and a start-up step that
    /// applies pending migrations before the service takes traffic.
    /// </summary>
    /// <param name="connectionName">The AppHost resource name, e.g. <c>catalogdb</c>.</param>
    /// <param name="configureDataSource">Settings of this service's own, e.g. session options.</param>
    public static IHostApplicationBuilder AddServiceDatabase<TContext>(
        this IHostApplicationBuilder builder, string connectionName, Action<NpgsqlDataSourceBuilder>? configureDataSource = null)
        where TContext : DbContext
    {
        var maxPoolSize = builder.Configuration.GetValue<int?>(MaxPoolSizeSetting);
        builder.AddNpgsqlDataSource(connectionName, configureDataSourceBuilder: dataSource =>
        {
            ApplyPoolDefaults(dataSource);
            BoundPool(dataSource, maxPoolSize);
            configureDataSource?.Invoke(dataSource);
        });
        builder.Services.AddDbContextPool<TContext>((services, options) => options.UseServiceDatabase(services.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddHostedService<DatabaseMigrator<TContext>>();
        return builder;
    }

    /// <summary>The setting that sizes a service's pool (<c>Database__MaxPoolSize</c> in its environment).</summary>
    public const string MaxPoolSizeSetting = "Database:MaxPoolSize";

    /// <summary>Connections a service's pool opens at most, unless <see cref="MaxPoolSizeSetting"/> or the connection string says otherwise.</summary>
    public const int DefaultMaxPoolSize = 16;

    /// <summary>
    /// At most <see cref="DefaultMaxPoolSize"/> connections, where Npgsql's default is 100: past a few per core, more
    /// connections do not make Postgres run more statements at once, they move the queue from the service, where a
    /// request waiting for a connection costs nothing, into Postgres, where every backend in the run queue costs CPU
    /// (its own caches, page tables, statements prepared again on each connection) and holds its row locks longer.
    /// With 100, a burst at a steady 200 writes/s took Ratings' pool to all 100 connections, where it stayed, and a
    /// write's p99 went to 2.2-3.2 s; bounded at 16, 0.86-1.04 s, with less of Postgres's CPU per write
    /// (docs/performance.md, "A bounded pool"). A size set in the connection string is kept, except exactly 100, which
    /// cannot be told from Npgsql's default: <see cref="MaxPoolSizeSetting"/> sets that one.
    /// </summary>
    public static void BoundPool(NpgsqlDataSourceBuilder dataSource, int? configured)
    {
        const int npgsqlDefault = 100;
        if (configured is { } size)
        {
            dataSource.ConnectionStringBuilder.MaxPoolSize = size;
        }
        else if (dataSource.ConnectionStringBuilder.MaxPoolSize == npgsqlDefault)
        {
            dataSource.ConnectionStringBuilder.MaxPoolSize = DefaultMaxPoolSize;
        }
    }

    /// <summary>
    /// How every Matcha context runs, called from its constructor (a pooled context keeps what its constructor set, lease
    /// after lease): no automatic savepoint around a <c>SaveChanges</c> inside the caller's transaction. EF Core sends
    /// <c>SAVEPOINT</c> before and <c>RELEASE SAVEPOINT</c> after it: two of the six round trips a rating write made
    /// (docs/performance.md). Matcha never goes on with a transaction after a failed <c>SaveChanges</c>: it answers or
    /// starts again with a new one, so the savepoint bought nothing. The event consumer has always run without it.
    /// </summary>
    public static void ApplyContextDefaults(this DatabaseFacade database) => database.AutoSavepointsEnabled = false;

    /// <summary>
    /// How every Matcha pool runs (<see cref="KeepSessionOnClose"/>, <see cref="PrepareRepeatedStatements"/>): applied to
    /// each service's own database here, and by a service to any other data source it builds (Catalog's standby).
    /// </summary>
    public static void ApplyPoolDefaults(NpgsqlDataSourceBuilder dataSource)
    {
        KeepSessionOnClose(dataSource);
        PrepareRepeatedStatements(dataSource);
    }

    /// <summary>
    /// A connection goes back to the pool as it is: Npgsql does not send its reset (<c>RESET ALL</c>, <c>UNLISTEN *</c>,
    /// <c>pg_advisory_unlock_all()</c>, <c>DISCARD SEQUENCES</c>, <c>DISCARD TEMP</c>, ahead of the next command) on
    /// every return. That reset cost Postgres about 0.13 ms of CPU per checkout (pgbench: 5,950 resets/s against 27,500
    /// <c>SELECT 1</c>/s on one connection), and a screen or a rating write checks out several connections
    /// (docs/performance.md). Matcha leaves no session state behind: no <c>SET</c> outside a transaction, no temporary
    /// tables, and each session advisory lock (the migrator's, the trainer's) is released by the code that took it.
    /// </summary>
    public static void KeepSessionOnClose(NpgsqlDataSourceBuilder dataSource) =>
        dataSource.ConnectionStringBuilder.NoResetOnClose = true;

    /// <summary>
    /// A statement a connection has run twice is prepared on it (Npgsql's automatic preparation, up to 64 per
    /// connection): Postgres then parses and plans it once per connection, not on every execution. EF Core's queries
    /// are not prepared otherwise, and planning cost more than running for the small reads of a screen (Social's feed:
    /// 1.3 ms to plan against 0.25 ms to run, docs/social.md; the screens: docs/performance.md).
    /// </summary>
    public static void PrepareRepeatedStatements(NpgsqlDataSourceBuilder dataSource)
    {
        dataSource.ConnectionStringBuilder.MaxAutoPrepare = 64;
        dataSource.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
    }

    /// <summary>The provider settings every Matcha context uses, at run time and design time alike.</summary>
    public static DbContextOptionsBuilder UseServiceDatabase(this DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource).UseSnakeCaseNamingConvention();

    /// <summary>Design-time options (for <c>dotnet ef migrations add</c>), which never connect.</summary>
    public static DbContextOptions<TContext> DesignTimeOptions<TContext>() where TContext : DbContext =>
        new DbContextOptionsBuilder<TContext>()
            .UseNpgsql("Host=localhost;Database=design-time")
            .UseSnakeCaseNamingConvention()
            .Options;
}
