using System.Globalization;
using Npgsql;

namespace Matcha.Bench.Load;

/// <summary>
/// Where Postgres spent its time during the run: pg_stat_statements (loaded for the benchmark
/// only), the statements with the most total execution time across Ratings and Catalog.
/// Execution time only: the round trips between statements, and the commits' waits, are not in it.
/// Buffers per call (shared blocks hit or read) do not depend on how busy the machine is, so they
/// compare runs that time cannot.
/// </summary>
internal static class PostgresProfile
{
    public static readonly string[] ServerArgs = ["-c", "shared_preload_libraries=pg_stat_statements", "-c", "pg_stat_statements.track=all"];

    public static async Task ResetAsync(NpgsqlDataSource anyDb)
    {
        await using var command = anyDb.CreateCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset();");
        await command.ExecuteNonQueryAsync();
    }

    /// <param name="perUnit">When given (e.g. screens answered), calls and time are printed per unit, not in total.</param>
    public static async Task PrintAsync(NpgsqlDataSource anyDb, int top = 14, int? perUnit = null, string indent = "  ", TextWriter? output = null)
    {
        output ??= Console.Out;
        await using var command = anyDb.CreateCommand("""
            SELECT d.datname, s.calls, s.total_exec_time, s.mean_exec_time, (s.shared_blks_hit + s.shared_blks_read)::float8 / greatest(s.calls, 1), regexp_replace(s.query, '\s+', ' ', 'g')
            FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
            WHERE d.datname IN ('ratingsdb', 'catalogdb')
            ORDER BY s.total_exec_time DESC LIMIT $1
            """);
        command.Parameters.Add(new() { Value = top });
        await using var reader = await command.ExecuteReaderAsync();
        if (perUnit is null)
        {
            output.WriteLine("Postgres time by statement (pg_stat_statements, execution only):");
        }
        while (await reader.ReadAsync())
        {
            var query = reader.GetString(5);
            output.WriteLine(perUnit is { } units
                ? string.Create(CultureInfo.InvariantCulture,
                    $"{indent}{reader.GetString(0),-9} {reader.GetInt64(1) / (double)units,6:F2} calls {reader.GetDouble(2) / units,7:F3} ms {reader.GetDouble(3),7:F3} ms mean {reader.GetDouble(4),7:F1} buffers  {query[..Math.Min(query.Length, 110)]}")
                : string.Create(CultureInfo.InvariantCulture,
                    $"{indent}{reader.GetString(0),-9} {reader.GetInt64(1),8} calls {reader.GetDouble(2),9:F0} ms total {reader.GetDouble(3),7:F3} ms mean {reader.GetDouble(4),7:F1} buffers  {query[..Math.Min(query.Length, 110)]}"));
        }
    }
}
