using Matcha.Accounts.Data;
using Matcha.EventBus;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Matcha.Accounts.Deletion;

/// <summary>
/// Moves a saga on when a participant confirms: in the consumer's transaction (so a reply is
/// applied once however often it arrives) the deletion is locked, advanced, and the next
/// step's command queued in the outbox; the last confirmation erases the account.
/// </summary>
internal sealed partial class DeletionRepliesApplier(
    IOptions<DeletionOptions> options, TimeProvider clock, ILogger<DeletionRepliesApplier> logger) : IEventApplier<AccountsDbContext>
{
    public const string Subscription = "accounts-deletions";

    public async Task ApplyAsync(EventEnvelope envelope, AccountsDbContext db, CancellationToken cancellationToken)
    {
        if (envelope.Type != nameof(UserDataErased))
        {
            return;
        }
        var reply = envelope.PayloadAs<UserDataErased>();
        var deletion = await db.AccountDeletions
            .FromSql($"SELECT * FROM account_deletions WHERE id = {reply.DeletionId} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        if (deletion is null || !deletion.Confirm(reply, clock.GetUtcNow(), options.Value))
        {
            LogIgnored(reply.DeletionId, reply.Step, reply.Attempt);
            return;
        }

        LogConfirmed(deletion.Id, reply.Step, reply.Attempt);
        if (deletion.State == DeletionState.Completed)
        {
            await db.SaveChangesAsync(cancellationToken);
            await AccountEraser.EraseAsync(db, deletion, cancellationToken);
            LogCompleted(deletion.Id);
            return;
        }
        // The consumer's span is the current activity: the next command joins the same trace.
        db.AddEvent(deletion.Command(), clock);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deletion {DeletionId}: {Step} confirmed (attempt {Attempt})")]
    private partial void LogConfirmed(Guid deletionId, DeletionStep step, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deletion {DeletionId}: a reply from {Step} (attempt {Attempt}) for a step already passed, ignored")]
    private partial void LogIgnored(Guid deletionId, DeletionStep step, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deletion {DeletionId} completed: the account is erased")]
    private partial void LogCompleted(Guid deletionId);
}
