using Matcha.Catalog.Data;
using Matcha.Catalog.Statistics;
using Matcha.EventBus;

namespace Matcha.Catalog.Erasure;

/// <summary>
/// Catalog's part of the account deletion saga. Its statistics lose the user's ratings,
/// wishes and comments through Ratings' ordinary removal events, applied once each by
/// <see cref="MovieStatisticsApplier"/>; this step confirms only when every one of those
/// events is in the inbox and nothing of the user is counted any more, then forgets the
/// event records that name the user. Until then it stays silent and the saga asks again.
/// </summary>
internal sealed partial class UserDataEraser(TimeProvider clock, ILogger<UserDataEraser> logger) : IEventApplier<CatalogDbContext>
{
    public const string Subscription = "catalog-erasure";
    public const string Topic = "account-deletions";
    private const string Step = "Catalog";

    public async Task ApplyAsync(EventEnvelope envelope, CatalogDbContext db, CancellationToken cancellationToken)
    {
        if (envelope.Type != nameof(EraseUserData))
        {
            return;
        }
        var command = envelope.PayloadAs<EraseUserData>();
        if (command.Step != Step)
        {
            return;
        }

        var awaited = command.AwaitedEventIds?.ToArray() ?? [];
        var applied = await db.CountAppliedAsync(awaited, cancellationToken);
        var stillCounted = await UserDataTables.HoldAnyOfAsync(db, command.UserId, cancellationToken);
        if (applied < awaited.Length || stillCounted || await db.HasUnpublishedAsync(command.UserId, cancellationToken))
        {
            LogWaiting(command.DeletionId, applied, awaited.Length);
            return;
        }

        await db.ForgetAsync(command.UserId, hasInbox: true, cancellationToken);
        db.AddEvent(new UserDataErased(command.DeletionId, command.Step, command.Attempt), clock);
        LogConfirmed(command.DeletionId, awaited.Length);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deletion {DeletionId}: {Applied} of {Awaited} removals applied so far; not confirming yet")]
    private partial void LogWaiting(Guid deletionId, int applied, int awaited);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deletion {DeletionId}: all {Awaited} removals applied; Catalog holds nothing of the user")]
    private partial void LogConfirmed(Guid deletionId, int awaited);
}
