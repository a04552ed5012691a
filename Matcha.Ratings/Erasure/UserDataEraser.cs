using Matcha.EventBus;
using Matcha.Ratings.Comments;
using Matcha.Ratings.Data;
using Matcha.Ratings.Ratings;
using Matcha.Ratings.Wishlist;
using Microsoft.EntityFrameworkCore;

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

    /// <summary>
    /// Deletes everything of the user and announces each removal the way the user's own
    /// removal would have (<c>RatingChanged</c> to null, <c>WishlistChanged</c> to null,
    /// <c>CommentRemoved</c>), so Catalog takes back exactly what it counted. Likes the user
    /// gave are taken back from the comments' counts; comments the user wrote go with their likes.
    /// </summary>
    private async Task<List<Guid>> EraseDataAsync(RatingsDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        // Two copies of the command applied at once take turns: the second finds nothing left.
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({userId.ToString()}, 0))", cancellationToken);
        var now = clock.GetUtcNow();
        var removals = new List<Guid>();

        foreach (var rating in await db.Ratings.Where(r => r.UserId == userId).ToListAsync(cancellationToken))
        {
            if (rating.Score is { } score)
            {
                var old = rating.RejectedReason is null ? score : (decimal?)null;
                removals.Add(db.AddEvent(new RatingChanged(rating.MovieId, userId, old, null, rating.Version + 1, now), clock).EventId);
            }
            db.Ratings.Remove(rating);
        }

        foreach (var wish in await db.WishlistEntries.Where(w => w.UserId == userId).ToListAsync(cancellationToken))
        {
            if (wish.State is not null)
            {
                removals.Add(db.AddEvent(new WishlistChanged(wish.MovieId, userId, wish.State, null, wish.Version + 1, now), clock).EventId);
            }
            db.WishlistEntries.Remove(wish);
        }

        await db.Comments.Where(c => db.CommentLikes.Any(l => l.CommentId == c.Id && l.UserId == userId))
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.LikeCount, x => x.LikeCount - 1), cancellationToken);
        await db.CommentLikes.Where(l => l.UserId == userId).ExecuteDeleteAsync(cancellationToken);

        foreach (var comment in await db.Comments.Where(c => c.UserId == userId).ToListAsync(cancellationToken))
        {
            await db.CommentLikes.Where(l => l.CommentId == comment.Id).ExecuteDeleteAsync(cancellationToken);
            removals.Add(db.AddEvent(new CommentRemoved(comment.Id, comment.MovieId, userId, now), clock).EventId);
            db.Comments.Remove(comment);
        }
        return removals;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deletion {DeletionId}: the user's data is erased; {Removals} removals announced")]
    private partial void LogErased(Guid deletionId, int removals);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deletion {DeletionId}: events about the user still wait to be published; not confirming yet")]
    private partial void LogWaiting(Guid deletionId);
}
