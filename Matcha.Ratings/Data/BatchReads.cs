using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Matcha.Ratings.Data;

/// <summary>
/// Reads that go to Postgres together: the statements of one batch travel in one round trip and
/// their results come back one after another on the same reader. EF Core sends each query on its
/// own, and on a screen's read path the round trips, a send and a wake-up on each side, cost more
/// than the index probes they carry (docs/performance.md, "My page in one round trip").
/// </summary>
internal static class BatchReads
{
    /// <summary>
    /// Runs <paramref name="commands"/> as one batch on the context's connection and reads their
    /// results with <paramref name="read"/>, which moves from one to the next with <c>NextResultAsync</c>.
    /// </summary>
    public static async Task<T> ReadBatchAsync<T>(
        this RatingsDbContext db, Func<DbDataReader, Task<T>> read, CancellationToken cancellationToken, params NpgsqlBatchCommand[] commands)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var batch = new NpgsqlBatch(connection);
            foreach (var command in commands)
            {
                batch.BatchCommands.Add(command);
            }
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            return await read(reader);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
