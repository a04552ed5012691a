using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Matcha.Catalog.Search;

/// <summary>
/// Counts this process's writes to films and people, so that search catches up before it
/// answers when Catalog itself has just written (an admin's new film is found at once), and
/// otherwise costs nothing.
/// </summary>
public sealed class SearchIndexWrites
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Noticed() => Interlocked.Increment(ref _count);
}

/// <summary>
/// Notices EF's writes to <c>movies</c> and <c>people</c> (SaveChanges, ExecuteUpdate and raw
/// SQL alike). A write inside a transaction is noticed again when the transaction commits:
/// a catch-up between the two would not have seen it.
/// </summary>
internal sealed class SearchIndexWriteInterceptor(SearchIndexWrites writes) : DbCommandInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbTransaction, object> _writing = [];

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        Notice(command);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        Notice(command);
        return ValueTask.FromResult(result);
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Notice(command);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Notice(command);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (_writing.Remove(transaction))
        {
            writes.Noticed();
        }
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    private void Notice(DbCommand command)
    {
        if (!WritesFilmsOrPeople(command.CommandText))
        {
            return;
        }
        writes.Noticed();
        if (command.Transaction is { } transaction)
        {
            _writing.AddOrUpdate(transaction, transaction);
        }
    }

    internal static bool WritesFilmsOrPeople(string sql) =>
        sql.Contains("INSERT INTO movies ", StringComparison.Ordinal) || sql.Contains("UPDATE movies ", StringComparison.Ordinal)
        || sql.Contains("INSERT INTO people ", StringComparison.Ordinal) || sql.Contains("UPDATE people ", StringComparison.Ordinal)
        || sql.Contains("DELETE FROM movies ", StringComparison.Ordinal) || sql.Contains("DELETE FROM people ", StringComparison.Ordinal);
}
