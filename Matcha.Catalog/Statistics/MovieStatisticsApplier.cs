using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Matcha.Catalog.Rankings;
using Matcha.EventBus;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;

namespace Matcha.Catalog.Statistics;

/// <summary>
/// Folds Ratings' events into each film's statistics: rating count, the ten half-star buckets,
/// the average (from the buckets, so it is exact), wishes, comments, popularity, and the day's
/// activity that trending sums. It runs in the consumer's transaction, after the inbox has ruled
/// out a second delivery, so every event counts once. A rating for a film that is not released,
/// or that Catalog has removed, is not counted and is answered with <see cref="RatingRejected"/>;
/// other events about a removed film change nothing. An event about a film Catalog never had is
/// an error (retried, then dead-lettered until an operator restores the film and replays it).
/// </summary>
public sealed class MovieStatisticsApplier(TimeProvider clock, HybridCache cache, StatisticsChanges changes) : IEventApplier<CatalogDbContext>
{
    public const string Subscription = "catalog-stats";
    public const string Topic = "ratings";
    private const string WantToWatch = "WantToWatch";

    public const string NotReleasedReason = "This film is not released yet, so its ratings do not count.";
    public const string RemovedReason = "This film was removed from the catalogue, so its ratings no longer count.";

    public async Task ApplyAsync(EventEnvelope envelope, CatalogDbContext db, CancellationToken cancellationToken)
    {
        if (!envelope.Payload.TryGetProperty("movieId", out var id) || !id.TryGetInt32(out var movieId))
        {
            return;
        }
        var movie = await db.Movies.AsNoTracking()
            .Where(m => m.Id == movieId)
            .Select(m => new { m.ReleaseDate, m.Year })
            .SingleOrDefaultAsync(cancellationToken);
        if (movie is null)
        {
            if (!await db.RemovedMovies.AnyAsync(r => r.MovieId == movieId, cancellationToken))
            {
                throw new UnknownMovieException(movieId);
            }
            if (envelope.Type == nameof(RatingChanged) && envelope.PayloadAs<RatingChanged>() is { NewScore: not null } rating)
            {
                db.AddEvent(new RatingRejected(movieId, rating.UserId, envelope.AggregateVersion, RemovedReason));
            }
            return;
        }

        var day = DateOnly.FromDateTime(envelope.OccurredAt.UtcDateTime);
        var change = new StatisticsChange();
        switch (envelope.Type)
        {
            case nameof(RatingChanged):
                var rating = envelope.PayloadAs<RatingChanged>();
                if (rating.NewScore is not null && !Movie.IsReleased(movie.ReleaseDate, movie.Year, clock.Today()))
                {
                    db.AddEvent(new RatingRejected(movieId, rating.UserId, envelope.AggregateVersion, NotReleasedReason));
                    rating = rating with { NewScore = null };
                }
                else if (rating.NewScore is not null)
                {
                    await CountActivityAsync(db, movieId, day, cancellationToken);
                }
                await ApplyRatingAsync(rating, db, change, cancellationToken);
                break;
            case nameof(WishlistChanged):
                var wish = envelope.PayloadAs<WishlistChanged>();
                change.Wishes = (wish.NewState == WantToWatch ? 1 : 0) - (wish.OldState == WantToWatch ? 1 : 0);
                if (change.Wishes > 0)
                {
                    await CountActivityAsync(db, movieId, day, cancellationToken);
                }
                break;
            case nameof(CommentPosted):
                var posted = envelope.PayloadAs<CommentPosted>();
                if (await db.CountedComments.FindAsync([posted.CommentId], cancellationToken) is null)
                {
                    db.CountedComments.Add(new CountedComment { CommentId = posted.CommentId, MovieId = movieId });
                    change.Comments = 1;
                    await CountActivityAsync(db, movieId, day, cancellationToken);
                }
                break;
            case nameof(CommentRemoved):
                var removed = envelope.PayloadAs<CommentRemoved>();
                var comment = await db.CountedComments.FindAsync([removed.CommentId], cancellationToken);
                if (comment is null)
                {
                    // Removed before Catalog counted it: nothing to subtract, and nothing to add should CommentPosted come late.
                    db.CountedComments.Add(new CountedComment { CommentId = removed.CommentId, MovieId = movieId, Removed = true });
                }
                else if (!comment.Removed)
                {
                    comment.Removed = true;
                    change.Comments = -1;
                }
                break;
            default:
                return;
        }
        await change.SaveAsync(db, movieId, cancellationToken);
    }

    public async Task AfterCommitAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        if (envelope.Payload.TryGetProperty("movieId", out var id) && id.TryGetInt32(out var movieId))
        {
            // The film page serves its statistics from the cache: drop it so the next read shows the change.
            await cache.RemoveAsync(CacheKeys.Movie(movieId), cancellationToken);
            // Rankings and browse lists follow within a bounded time (RankingsProjection).
            changes.Changed(movieId);
        }
    }

    private static async Task ApplyRatingAsync(RatingChanged rating, CatalogDbContext db, StatisticsChange change, CancellationToken cancellationToken)
    {
        // What was counted before, by Catalog's own record, not the event's word.
        var counted = await db.CountedRatings.FindAsync([rating.MovieId, rating.UserId], cancellationToken);
        if (counted is not null)
        {
            change.Rate(counted.Score, -1);
        }
        if (rating.NewScore is { } score)
        {
            change.Rate(score, +1);
        }

        switch (counted, rating.NewScore)
        {
            case (null, { } added):
                db.CountedRatings.Add(new CountedRating { MovieId = rating.MovieId, UserId = rating.UserId, Score = added });
                break;
            case ({ }, null):
                db.CountedRatings.Remove(counted);
                break;
            case ({ }, { } changed):
                counted.Score = changed;
                break;
        }
    }

    private static async Task CountActivityAsync(CatalogDbContext db, int movieId, DateOnly day, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO movie_activity (movie_id, day, count) VALUES ({movieId}, {day}, 1)
            ON CONFLICT (movie_id, day) DO UPDATE SET count = movie_activity.count + 1
            """, cancellationToken);

    /// <summary>Postgres arrays count from 1: 0.5 stars is bucket 1, 5.0 stars bucket 10.</summary>
    internal static int Bucket(decimal score) =>
        score is >= 0.5m and <= 5.0m && score % 0.5m == 0
            ? (int)(score * 2)
            : throw new ArgumentOutOfRangeException(nameof(score), score, "A score is 0.5 to 5.0 in half stars.");
}

public sealed class UnknownMovieException(int movieId) : Exception($"Film {movieId} is not in the catalogue.");
