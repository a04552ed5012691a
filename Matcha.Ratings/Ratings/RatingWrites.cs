using Matcha.EventBus;
using Matcha.Ratings.Data;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Ratings.Ratings;

/// <summary>A user's score for a film, written with its <see cref="RatingChanged"/> in one transaction.</summary>
public static class RatingWrites
{
    /// <summary>
    /// Sets the score (the caller has validated it and checked the film), queueing the event in the
    /// outbox; nothing is written when the score is already that. The benchmark calls this too.
    /// </summary>
    public static async Task SetScoreAsync(RatingsDbContext db, Guid userId, int movieId, decimal score, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var rating = await db.LockRatingAsync(userId, movieId, cancellationToken);
        if (rating.Score != score || rating.RejectedReason is not null)
        {
            db.AddEvent(rating.Change(score, now));
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The caller's rating row, created empty if need be, locked until the transaction ends:
    /// two concurrent writes of one rating take turns, and its versions stay in commit order.
    /// Both statements go in one command, so one round trip (docs/performance.md).
    /// </summary>
    private static async Task<Rating> LockRatingAsync(this RatingsDbContext db, Guid userId, int movieId, CancellationToken cancellationToken)
    {
        var rows = await db.Ratings.FromSql($"""
            INSERT INTO ratings (user_id, movie_id, score, version, updated_at)
            VALUES ({userId}, {movieId}, NULL, 0, now())
            ON CONFLICT DO NOTHING;
            SELECT * FROM ratings WHERE user_id = {userId} AND movie_id = {movieId} FOR UPDATE
            """).ToListAsync(cancellationToken);
        return rows.Single();
    }

    internal static RatingChanged Change(this Rating rating, decimal? score, DateTimeOffset now)
    {
        // A rejected rating no longer counts anywhere, so its old score is none.
        var old = rating.RejectedReason is null ? rating.Score : null;
        rating.Score = score;
        rating.RejectedReason = null;
        rating.Version++;
        rating.UpdatedAt = now;
        return new RatingChanged(rating.MovieId, rating.UserId, old, score, rating.Version, now);
    }
}
