using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;

namespace Matcha.EventBus;

/// <summary>
/// Wakes this process's outbox relay when one of its own transactions that wrote outbox rows has
/// committed. It replaces a statement trigger's NOTIFY: Postgres serialises the commits of
/// notifying transactions on one lock, held through each commit's WAL write, and under load the
/// service's writes queued on it (docs/performance.md, "The relay's wake-up, in process"). Rows
/// written elsewhere (another replica that crashed before its relay ran, a tool) wait at most the
/// relay's poll interval.
/// </summary>
public sealed class OutboxWake
{
    internal WakeSignal Signal { get; } = new();

    internal void Committed() => Signal.Wake();
}

/// <summary>
/// Notices a SaveChanges that adds <see cref="OutboxMessage"/>s. Inside a transaction the relay is
/// woken when that transaction commits (not before: it would find nothing to claim and sleep until
/// its next poll); without one, SaveChanges committed by the time it returns. A context told not to
/// begin transactions (<see cref="AutoTransactionBehavior.Never"/>) saves inside one its caller began
/// by statement, which EF Core does not see; that caller wakes the relay after its COMMIT
/// (<see cref="EventSubscription{TContext, TApplier}.ApplyBatchAsync"/>).
/// </summary>
internal sealed class OutboxWakeInterceptor(OutboxWake wake) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbTransaction, object> _writing = [];
    private readonly ConditionalWeakTable<DbContext, object> _saving = [];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Notice(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Notice(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Forget(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (_writing.Remove(transaction))
        {
            wake.Committed();
        }
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => _writing.Remove(transaction);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        _writing.Remove(transaction);
        return Task.CompletedTask;
    }

    private void Notice(DbContext? context)
    {
        if (context is null || !AddsOutboxRows(context))
        {
            return;
        }
        if (context.Database.CurrentTransaction?.GetDbTransaction() is { } transaction)
        {
            _writing.AddOrUpdate(transaction, transaction);
        }
        else if (context.Database.AutoTransactionBehavior != AutoTransactionBehavior.Never)
        {
            _saving.AddOrUpdate(context, context);
        }
    }

    private void Saved(DbContext? context)
    {
        if (context is not null && _saving.Remove(context))
        {
            wake.Committed();
        }
    }

    private void Forget(DbContext? context)
    {
        if (context is not null)
        {
            _saving.Remove(context);
        }
    }

    private static bool AddsOutboxRows(DbContext context)
    {
        foreach (var entry in context.ChangeTracker.Entries<OutboxMessage>())
        {
            if (entry.State == EntityState.Added)
            {
                return true;
            }
        }
        return false;
    }
}
