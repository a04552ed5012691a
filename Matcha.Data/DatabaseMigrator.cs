using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Matcha.Data;

/// <summary>
/// Applies the service's EF Core migrations during start-up, before Kestrel listens.
/// EF Core takes a database-wide lock while it migrates (on Postgres an exclusive lock on
/// the history table), so two replicas starting together apply each migration once.
/// A failure is logged with the database's name and stops the process: a service must
/// never serve on a schema it does not understand.
/// With <c>Database:MigrateOnly=true</c> the process stops once the migrations are applied: the
/// Kubernetes migrations Job runs each service's image so (deploy/k8s, docs/scaling.md).
/// </summary>
internal sealed partial class DatabaseMigrator<TContext>(
    IServiceProvider services, IConfiguration configuration, IHostApplicationLifetime lifetime, ILogger<DatabaseMigrator<TContext>> logger)
    : IHostedService where TContext : DbContext
{
    public const string MigrateOnlySetting = "Database:MigrateOnly";
    private const long MigrationLockKey = 0x6d61746368610002;   // "matcha" + 2

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var database = db.Database.GetDbConnection().Database;
        try
        {
            // EF's own lock on Postgres lasts one migration's transaction, so a replica that read
            // the history between two of another's migrations would apply the second one again.
            // A session advisory lock on the connection EF then uses covers the whole run.
            await db.Database.OpenConnectionAsync(cancellationToken);
            // Another replica may be migrating: wait for it however long that takes, not a command timeout.
            var timeout = db.Database.GetCommandTimeout();
            db.Database.SetCommandTimeout(0);
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({MigrationLockKey})", cancellationToken);
            db.Database.SetCommandTimeout(timeout);
            List<string> pending;
            try
            {
                // Postgres's EF Core provider finds a missing history table by selecting from it and catching
                // the error, which EF's command log reported at every first start, twice, as "fail: Failed
                // executing DbCommand" (npgsql/efcore.pg#3407). Created here first (CREATE TABLE IF NOT EXISTS),
                // it is always there to read, and a first start's log is as clean as any other's.
                await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
                pending = [.. await db.Database.GetPendingMigrationsAsync(cancellationToken)];
                if (pending.Count > 0)
                {
                    // Only with work to do: with none, MigrateAsync still builds the model of the latest
                    // snapshot to compare it with the code's, seconds of CPU at every start (docs/running.md).
                    await db.Database.MigrateAsync(cancellationToken);
                }
            }
            finally
            {
                // Pooled connections keep their session (Database.KeepSessionOnClose): the lock is released here, always.
                await UnlockAsync(db);
            }
            var current = pending.Count > 0 ? pending[^1] : "(up to date)";
            LogMigrated(database, pending.Count, current);
            if (configuration.GetValue<bool>(MigrateOnlySetting))
            {
                // Once started, not now: stopping during start cancels the other hosted services'
                // starts, and the host then exits with a failure the Job would retry.
                lifetime.ApplicationStarted.Register(lifetime.StopApplication);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogMigrationFailed(ex, database, typeof(TContext).Name);
            throw;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Releases the migration lock. A connection that broke took the lock with it, and its error is not the one to
    /// report: the migration's own failure (or none) is.
    /// </summary>
    private static async Task UnlockAsync(TContext db)
    {
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
        }
        catch (System.Data.Common.DbException) when (db.Database.GetDbConnection().State != System.Data.ConnectionState.Open)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database {Database}: applied {Count} migration(s), now at {Migration}")]
    private partial void LogMigrated(string database, int count, string migration);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Database {Database}: migrating {Context} failed; the service stops rather than run on an unknown schema")]
    private partial void LogMigrationFailed(Exception exception, string database, string context);
}
