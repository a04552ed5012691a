using Microsoft.EntityFrameworkCore;
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
        builder.AddNpgsqlDataSource(connectionName, configureDataSourceBuilder: configureDataSource);
        builder.Services.AddDbContextPool<TContext>((services, options) => options.UseServiceDatabase(services.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddHostedService<DatabaseMigrator<TContext>>();
        return builder;
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
