using System.Globalization;
using Npgsql;

namespace Matcha.Bench.Load;

/// <summary>
/// Where Postgres spent its time during the run: pg_stat_statements (loaded for the benchmark
/// only), the statements with the most total execution time across Ratings and Catalog.
/// Execution time only: the round trips between statements, and the commits' waits, are not in it.
/// Buffers per call (shared blocks hit or read) do not depend on how busy the machine is, so they
/// compare runs that time cannot; of them, those read from outside shared buffers are printed apart.
/// Planning (<c>track_planning</c>) and JIT compilation are printed per call too: neither is in the execution time, and
/// either can cost more than a small statement's execution.
/// </summary>
internal static class PostgresProfile
{
    public static readonly string[] ServerArgs = ["-c", "shared_preload_libraries=pg_stat_statements", "-c", "pg_stat_statements.track=all", "-c", "pg_stat_statements.track_planning=on"];

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
            SELECT d.datname, s.calls, s.total_exec_time, s.mean_exec_time, (s.shared_blks_hit + s.shared_blks_read)::float8 / greatest(s.calls, 1), regexp_replace(s.query, '\s+', ' ', 'g'),
                   s.shared_blks_read::float8 / greatest(s.calls, 1), s.total_plan_time / greatest(s.calls, 1),
                   (s.jit_generation_time + s.jit_inlining_time + s.jit_optimization_time + s.jit_emission_time) / greatest(s.calls, 1)
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
            var perCall = string.Create(CultureInfo.InvariantCulture,
                $"{reader.GetDouble(3),7:F3} ms mean {reader.GetDouble(4),7:F1} buffers ({reader.GetDouble(6):F1} read) {reader.GetDouble(7),6:F3} ms plan {reader.GetDouble(8),6:F3} ms JIT  {query[..Math.Min(query.Length, 110)]}");
            output.WriteLine(perUnit is { } units
                ? string.Create(CultureInfo.InvariantCulture,
                    $"{indent}{reader.GetString(0),-9} {reader.GetInt64(1) / (double)units,6:F2} calls {reader.GetDouble(2) / units,7:F3} ms {perCall}")
                : string.Create(CultureInfo.InvariantCulture,
                    $"{indent}{reader.GetString(0),-9} {reader.GetInt64(1),8} calls {reader.GetDouble(2),9:F0} ms total {perCall}"));
        }
    }
}
