using Npgsql;

namespace Matcha.Bench.Load;

/// <summary>
/// Postgres's own work that a measured pass may have paid for: autovacuum and autoanalyze runs, by table, and
/// checkpoints. Counted before and after each pass, so a slow pass can be told from one that shared the cores with them.
/// </summary>
internal static class PostgresBackground
{
    public static async Task<Dictionary<string, long>> CountAsync(params string[] connectionStrings)
    {
        var counts = new Dictionary<string, long>();
        foreach (var connectionString in connectionStrings)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT current_database() || '.' || relname, autovacuum_count, autoanalyze_count FROM pg_stat_user_tables", connection);
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    counts[$"autovacuum {reader.GetString(0)}"] = reader.GetInt64(1);
                    counts[$"autoanalyze {reader.GetString(0)}"] = reader.GetInt64(2);
                }
            }
            await using var checkpoints = new NpgsqlCommand("SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter", connection);
            counts["checkpoint"] = (long)(await checkpoints.ExecuteScalarAsync())!;
        }
        return counts;
    }

    /// <summary>What ran between two counts, e.g. <c>autoanalyze ratingsdb.ratings, checkpoint</c>; <c>none</c> if nothing did.</summary>
    public static string Between(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after)
    {
        var ran = after
            .Select(count => (count.Key, Runs: count.Value - before.GetValueOrDefault(count.Key)))
            .Where(count => count.Runs > 0)
            .Select(count => count.Runs == 1 ? count.Key : $"{count.Key} ×{count.Runs}")
            .ToList();
        return ran.Count == 0 ? "none" : string.Join(", ", ran);
    }

    /// <summary>
    /// After a bulk load: VACUUM (ANALYZE) the database and write a checkpoint, so that neither autovacuum's pass over
    /// the new rows nor the checkpoint that writes them out falls into a measured pass.
    /// </summary>
    public static async Task SettleAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var vacuum = new NpgsqlCommand("VACUUM (ANALYZE)", connection) { CommandTimeout = 600 };
        await vacuum.ExecuteNonQueryAsync();
        await using var checkpoint = new NpgsqlCommand("CHECKPOINT", connection) { CommandTimeout = 600 };
        await checkpoint.ExecuteNonQueryAsync();
    }
}
