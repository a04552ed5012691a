using Matcha.Data.Erasure;
using Matcha.EventBus;
using Matcha.Ratings.Data;

namespace Matcha.Ratings.Erasure;

/// <summary>
/// Ratings' part of the account deletion saga. It runs in the consumer's transaction, so a
/// command is applied once however often it arrives, and a resent command finds nothing left
/// to erase and simply confirms again.
/// </summary>
internal sealed partial class UserDataEraser(TimeProvider clock, ILogger<UserDataEraser> logger) : IEventApplier<RatingsDbContext>
{
    public const string Subscription = "ratings-erasure";
    public const string Topic = "account-deletions";

    public async Task ApplyAsync(EventEnvelope envelope, RatingsDbContext db, CancellationToken cancellationToken)
    {
        if (envelope.Type != nameof(EraseUserData))
        {
            return;
        }
        var command = envelope.PayloadAs<EraseUserData>();
        switch (command.Step)
        {
            case ErasureSteps.Data:
                var removals = await EraseDataAsync(db, command.UserId, cancellationToken);
                db.AddEvent(new UserDataErased(command.DeletionId, command.Step, command.Attempt, removals), clock);
                LogErased(command.DeletionId, removals.Count);
                break;
            case ErasureSteps.Events:
                // A name announcement made before the DELETE may still be on its way: the applier
                // skips it (the user is erased), but it would leave an inbox trace after this step.
                var awaited = command.AwaitedEventIds?.ToArray() ?? [];
                if (await db.CountAppliedAsync(awaited, cancellationToken) is var applied && applied < awaited.Length)
                {
                    // The saga sends the command again; by then the announcements have arrived.
                    LogAwaiting(command.DeletionId, applied, awaited.Length);
                    return;
                }
                if (await db.HasUnpublishedAsync(command.UserId, cancellationToken))
                {
                    // The saga asks again later; by then the relay has sent them.
                    LogWaiting(command.DeletionId);
                    return;
                }
                await db.ForgetAsync(command.UserId, hasInbox: true, cancellationToken);
                db.AddEvent(new UserDataErased(command.DeletionId, command.Step, command.Attempt, []), clock);
                break;
        }
    }

    /// <summary>Deletes the user's rows from every table in <see cref="UserDataTables"/>, announcing each removal.</summary>
    private async Task<List<Guid>> EraseDataAsync(RatingsDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        // Waits for the user's writes under way, then refuses later ones (the tombstone); two
        // copies of the command applied at once take turns too: the second finds nothing left.
        await db.TombstoneAsync(userId, cancellationToken);
        var erasure = new UserErasure(db, userId, clock);
        foreach (var table in UserDataTables.All)
        {
            await table.EraseAsync(erasure, cancellationToken);
        }
        return erasure.Removals;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deletion {DeletionId}: the user's data is erased; {Removals} removals announced")]
    private partial void LogErased(Guid deletionId, int removals);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deletion {DeletionId}: {Applied} of {Awaited} announcements of the account's name applied so far; not forgetting yet")]
    private partial void LogAwaiting(Guid deletionId, int applied, int awaited);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deletion {DeletionId}: events about the user still wait to be published; not confirming yet")]
    private partial void LogWaiting(Guid deletionId);
}
