using Npgsql;

namespace Matcha.EventBus;

/// <summary>
/// A transaction begun and committed by statements sent in the batches of the work it wraps (<c>BEGIN</c> with the
/// first, <c>COMMIT</c> with the last), so that it costs no round trip of its own. Npgsql follows such a transaction
/// by the server's status, but a connection that goes back to its pool inside one stays inside it, and the next user of
/// that connection would find it there: a failure must end it with <see cref="RollBackAsync"/> before the connection
/// is returned (docs/performance.md, "The consumer's apply in two round trips").
/// </summary>
internal static class StatementTransaction
{
    /// <summary>
    /// Ends the transaction a failure left open. A connection that cannot say so is broken and is not pooled again;
    /// one whose ROLLBACK failed otherwise has its pool cleared, so that it is closed rather than reused.
    /// </summary>
    public static async Task RollBackAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }
        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            NpgsqlConnection.ClearPool(connection);
        }
    }
}
