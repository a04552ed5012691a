using Matcha.Accounts.Data;
using Matcha.EventBus;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Matcha.Accounts.Deletion;

/// <summary>
/// Drives every running saga from its stored state, so nothing depends on the process that
/// started it: a step left unanswered is sent again with back-off, and one that never answers
/// stops in <see cref="DeletionState.NeedsAttention"/> (logged at error level, listed by the
/// admin endpoint). Rows are claimed with <c>FOR UPDATE SKIP LOCKED</c>, so replicas share
/// the work. It also writes the gateway's deny entry where the DELETE request could not.
/// </summary>
internal sealed partial class DeletionOrchestrator(
    IServiceScopeFactory scopes, IOptions<DeletionOptions> options, TimeProvider clock, ILogger<DeletionOrchestrator> logger) : BackgroundService
{
    private const int BatchSize = 50;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ResendDueStepsAsync(stoppingToken);
                await DenyPendingAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The rows are the state: whatever failed here is tried again on the next round.
                LogRoundFailed(ex);
            }
            try
            {
                await Task.Delay(options.Value.PollInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ResendDueStepsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var due = await db.AccountDeletions.FromSql($"""
            SELECT * FROM account_deletions
            WHERE state = 'Running' AND next_attempt_at <= {now}
            ORDER BY next_attempt_at
            LIMIT {BatchSize}
            FOR UPDATE SKIP LOCKED
            """).ToListAsync(cancellationToken);
        foreach (var deletion in due)
        {
            if (deletion.TimedOut(now, options.Value))
            {
                using var span = DeletionTelemetry.StartStep(deletion, "resend");
                db.AddEvent(deletion.Command(), clock);
                LogResent(deletion.Id, deletion.Step, deletion.Attempt);
            }
            else if (deletion.State == DeletionState.NeedsAttention)
            {
                using var span = DeletionTelemetry.StartStep(deletion, "gave up on");
                span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, deletion.LastError);
                LogNeedsAttention(deletion.Id, deletion.Step, deletion.Sends);
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task DenyPendingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        var pending = await db.AccountDeletions.AsNoTracking()
            .Where(d => !d.AccessTokensDenied && d.State != DeletionState.Completed)
            .Select(d => new { d.Id, d.UserId })
            .Take(BatchSize)
            .ToListAsync(cancellationToken);
        if (pending.Count == 0)
        {
            return;
        }
        var denial = scope.ServiceProvider.GetRequiredService<AccessTokenDenial>();
        foreach (var deletion in pending)
        {
            if (!await denial.TryDenyAsync(deletion.UserId))
            {
                return;
            }
            await db.AccountDeletions.Where(d => d.Id == deletion.Id)
                .ExecuteUpdateAsync(d => d.SetProperty(x => x.AccessTokensDenied, true), cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deletion {DeletionId}: {Step} has not confirmed; sent again (attempt {Attempt})")]
    private partial void LogResent(Guid deletionId, DeletionStep step, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Deletion {DeletionId} needs attention: {Step} did not confirm after {Sends} attempts. See docs/sagas.md: fix the cause, then POST /api/accounts/admin/deletions/<id>/retry")]
    private partial void LogNeedsAttention(Guid deletionId, DeletionStep step, int sends);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A round of the deletion orchestrator failed; trying again")]
    private partial void LogRoundFailed(Exception exception);
}
