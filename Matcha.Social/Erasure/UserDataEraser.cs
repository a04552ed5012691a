using Matcha.Data.Erasure;
using Matcha.EventBus;
using Matcha.Social.Collections;
using Matcha.Social.Data;
using Matcha.Social.Feed;
using Matcha.Social.Follows;
using Matcha.Social.Members;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Social.Erasure;

/// <summary>A table of Social that holds users' data, and how one user's rows leave it.</summary>
internal sealed record UserDataTable(Type Entity, Func<SocialDbContext, Guid, CancellationToken, Task> EraseAsync);

/// <summary>
/// Social's part of the account deletion saga, in the consumer's transaction: a resent command
/// finds nothing left and confirms again. Social announces no removals (nobody keeps counts of
/// its rows), so one step erases the data and the inbox's traces together — once the removals
/// Ratings announced and Accounts' announcements of the name have been applied here, so that no
/// older rating or name of the user's can arrive afterwards and bring an activity or the member back.
/// </summary>
internal sealed partial class UserDataEraser(TimeProvider clock, ILogger<UserDataEraser> logger) : IEventApplier<SocialDbContext>
{
    public const string Subscription = "social-erasure";
    public const string Topic = "account-deletions";

    /// <summary>Every table with a user's rows; a fast test fails when an entity naming a user is missing here.</summary>
    public static IReadOnlyList<UserDataTable> Tables { get; } =
    [
        new(typeof(Follow), (db, userId, ct) => db.Follows.Where(f => f.FollowerId == userId || f.FolloweeId == userId).ExecuteDeleteAsync(ct)),
        new(typeof(Activity), (db, userId, ct) => db.Activities.Where(a => a.UserId == userId).ExecuteDeleteAsync(ct)),
        // Likes on others' collections (their counts drop), then the user's collections with their films;
        // likes on those and their feed entries go with them by cascade.
        new(typeof(CollectionLike), (db, userId, ct) => db.CollectionLikes.Where(l => l.UserId == userId).ExecuteDeleteAsync(ct)),
        new(typeof(CollectionFilm), (db, userId, ct) => db.CollectionFilms
            .Where(f => db.Collections.Any(c => c.Id == f.CollectionId && c.OwnerId == userId)).ExecuteDeleteAsync(ct)),
        new(typeof(Collection), (db, userId, ct) => db.Collections.Where(c => c.OwnerId == userId).ExecuteDeleteAsync(ct)),
        new(typeof(Member), (db, userId, ct) => db.Members.Where(m => m.UserId == userId).ExecuteDeleteAsync(ct)),
    ];

    public async Task ApplyAsync(EventEnvelope envelope, SocialDbContext db, CancellationToken cancellationToken)
    {
        if (envelope.Type != nameof(EraseUserData))
        {
            return;
        }
        var command = envelope.PayloadAs<EraseUserData>();
        if (command.Step != ErasureSteps.Social)
        {
            return;
        }
        var awaited = command.AwaitedEventIds?.ToArray() ?? [];
        var applied = await db.CountAppliedAsync(awaited, cancellationToken);
        if (applied < awaited.Length)
        {
            // The saga sends the command again; by then the awaited events have arrived.
            LogWaiting(command.DeletionId, applied, awaited.Length);
            return;
        }
        // Waits for follows under way, then refuses later ones from or to the user (the tombstone).
        await db.TombstoneAsync(command.UserId, cancellationToken);
        foreach (var table in Tables)
        {
            await table.EraseAsync(db, command.UserId, cancellationToken);
        }
        // An announcement about the user (a privacy change) committed before the member's row went
        // is still on its way out: forgetting now would leave it behind once the relay publishes it.
        // The erasure above commits; the saga sends the command again and the next pass confirms.
        if (await db.HasUnpublishedAsync(command.UserId, cancellationToken))
        {
            LogUnpublished(command.DeletionId);
            return;
        }
        await db.ForgetAsync(command.UserId, hasInbox: true, cancellationToken);
        db.AddEvent(new UserDataErased(command.DeletionId, command.Step, command.Attempt, []), clock);
        LogErased(command.DeletionId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deletion {DeletionId}: the member, their follows, their activities, their collections and likes, and the events about them are erased")]
    private partial void LogErased(Guid deletionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deletion {DeletionId}: erased, but an event about the user is not published yet; confirming on the next attempt")]
    private partial void LogUnpublished(Guid deletionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deletion {DeletionId}: {Applied} of {Awaited} awaited events applied so far; not erasing yet")]
    private partial void LogWaiting(Guid deletionId, int applied, int awaited);
}
