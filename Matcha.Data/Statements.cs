using Npgsql;

namespace Matcha.Data;

/// <summary>
/// Statements for an <see cref="NpgsqlBatch"/>: the reads of a screen, a consumer's inbox and an applier's
/// writes each travel as one batch, one round trip (docs/performance.md).
/// </summary>
public static class Statements
{
    /// <summary>
    /// A statement with positional parameters (<c>$1</c>, <c>$2</c>…) in the order given. A lone array argument
    /// must be cast to <see cref="object"/>, or it becomes the <c>params</c> array itself.
    /// </summary>
    public static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        return command;
    }
}
