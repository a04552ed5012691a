using Matcha.Ratings.Authors;
using Matcha.Ratings.Comments;
using Matcha.Ratings.Profiles;
using Matcha.Ratings.RateToStart;
using Matcha.Ratings.Ratings;
using Matcha.Ratings.Wishlist;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Ratings.Erasure;

/// <summary>A table that holds users' data, and how one user's rows leave it.</summary>
internal sealed record UserDataTable(Type Entity, Func<UserErasure, CancellationToken, Task> EraseAsync);

/// <summary>
/// Every table of Ratings that holds a user's data, in the order the account deletion saga
/// erases them. A fast test fails when an entity with a user-id column is missing here, so a new
/// feature's table cannot be forgotten by account deletion.
/// </summary>
/// <remarks>
/// Each removal is announced the way the user's own removal would have been (<c>RatingChanged</c>
/// to null, <c>WishlistChanged</c> to null, <c>CommentRemoved</c>), so Catalog takes back exactly
/// what it counted. The event tables (outbox, inbox) are forgotten in the saga's later step.
/// </remarks>
internal static class UserDataTables
{
    public static IReadOnlyList<UserDataTable> All { get; } =
    [
        new(typeof(Rating), EraseRatingsAsync),
        new(typeof(WishlistEntry), EraseWishesAsync),
        // Likes the user gave come off the comments' counts before the user's own comments go.
        new(typeof(CommentLike), EraseLikesGivenAsync),
        new(typeof(Comment), EraseCommentsAsync),
        // Nobody counts names, so nothing is announced.
        new(typeof(Author), (erasure, ct) => erasure.Db.Authors.Where(a => a.UserId == erasure.UserId).ExecuteDeleteAsync(ct)),
        // "Haven't seen" marks announce nothing: no other service counts them.
        new(typeof(UnseenFilm), (erasure, ct) => erasure.Db.UnseenFilms.Where(u => u.UserId == erasure.UserId).ExecuteDeleteAsync(ct)),
        // Social's privacy flag, copied here: nobody counts it either.
        new(typeof(ProfilePrivacy), (erasure, ct) => erasure.Db.ProfilePrivacies.Where(p => p.UserId == erasure.UserId).ExecuteDeleteAsync(ct)),
    ];

    private static async Task EraseRatingsAsync(UserErasure erasure, CancellationToken cancellationToken)
    {
        var db = erasure.Db;
        foreach (var rating in await db.Ratings.Where(r => r.UserId == erasure.UserId).ToListAsync(cancellationToken))
        {
            if (rating.Score is { } score)
            {
                var old = rating.RejectedReason is null ? score : (decimal?)null;
                erasure.Announce(new RatingChanged(rating.MovieId, erasure.UserId, old, null, rating.Version + 1, erasure.Now));
            }
            db.Ratings.Remove(rating);
        }
    }

    private static async Task EraseWishesAsync(UserErasure erasure, CancellationToken cancellationToken)
    {
        var db = erasure.Db;
        foreach (var wish in await db.WishlistEntries.Where(w => w.UserId == erasure.UserId).ToListAsync(cancellationToken))
        {
            if (wish.State is not null)
            {
                erasure.Announce(new WishlistChanged(wish.MovieId, erasure.UserId, wish.State, null, wish.Version + 1, erasure.Now));
            }
            db.WishlistEntries.Remove(wish);
        }
    }

    private static async Task EraseLikesGivenAsync(UserErasure erasure, CancellationToken cancellationToken)
    {
        var db = erasure.Db;
        var userId = erasure.UserId;
        await db.Comments.Where(c => db.CommentLikes.Any(l => l.CommentId == c.Id && l.UserId == userId))
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.LikeCount, x => x.LikeCount - 1), cancellationToken);
        await db.CommentLikes.Where(l => l.UserId == userId).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>The user's comments go with the likes others gave them.</summary>
    private static async Task EraseCommentsAsync(UserErasure erasure, CancellationToken cancellationToken)
    {
        var db = erasure.Db;
        foreach (var comment in await db.Comments.Where(c => c.UserId == erasure.UserId).ToListAsync(cancellationToken))
        {
            await db.CommentLikes.Where(l => l.CommentId == comment.Id).ExecuteDeleteAsync(cancellationToken);
            erasure.Announce(new CommentRemoved(comment.Id, comment.MovieId, erasure.UserId, erasure.Now));
            db.Comments.Remove(comment);
        }
    }
}
