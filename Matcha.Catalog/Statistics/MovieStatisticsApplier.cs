using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Matcha.ServiceDefaults.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;

namespace Matcha.Catalog.Statistics;

/// <summary>
/// Folds Ratings' events into each film's statistics: rating count, the ten half-star buckets,
/// the average (from the buckets, so it is exact), wishes, comments and popularity. It runs in
/// the consumer's transaction, after the inbox has ruled out a second delivery, so every event
/// counts once. A rating for a film Catalog does not know is an error (the event is retried,
/// then dead-lettered until an operator restores the film and replays it); a rating for a film
/// that is not released is not counted and is answered with <see cref="RatingRejected"/>.
/// </summary>
public sealed class MovieStatisticsApplier(TimeProvider clock, HybridCache cache) : IEventApplier<CatalogDbContext>
{
    public const string Subscription = "catalog-stats";
    public const string Topic = "ratings";
    private const string WantToWatch = "WantToWatch";

    public async Task ApplyAsync(EventEnvelope envelope, CatalogDbContext db, CancellationToken cancellationToken)
    {
        switch (envelope.Type)
        {
            case nameof(RatingChanged):
                await ApplyRatingAsync(envelope, envelope.PayloadAs<RatingChanged>(), db, cancellationToken);
                break;
            case nameof(WishlistChanged):
                var wish = envelope.PayloadAs<WishlistChanged>();
                var delta = (wish.NewState == WantToWatch ? 1 : 0) - (wish.OldState == WantToWatch ? 1 : 0);
                await UpdateAsync(db, wish.MovieId, $"UPDATE movies SET wish_count = wish_count + {delta} WHERE id = {wish.MovieId}", cancellationToken);
                await RecomputeAsync(db, wish.MovieId, cancellationToken);
                break;
            case nameof(CommentPosted):
                var posted = envelope.PayloadAs<CommentPosted>();
                await UpdateAsync(db, posted.MovieId, $"UPDATE movies SET comment_count = comment_count + 1 WHERE id = {posted.MovieId}", cancellationToken);
                await RecomputeAsync(db, posted.MovieId, cancellationToken);
                break;
            case nameof(CommentRemoved):
                var removed = envelope.PayloadAs<CommentRemoved>();
                await UpdateAsync(db, removed.MovieId, $"UPDATE movies SET comment_count = comment_count - 1 WHERE id = {removed.MovieId}", cancellationToken);
                await RecomputeAsync(db, removed.MovieId, cancellationToken);
                break;
        }
    }

    public async Task AfterCommitAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        if (envelope.Payload.TryGetProperty("movieId", out var id) && id.TryGetInt32(out var movieId))
        {
            // The film page shows these statistics; lists sorted by them may lag for their short cache life.
            // A read that loaded the old row just before the commit may put it back after this
            // eviction, so the entry is evicted once more a moment later.
            var key = CacheKeys.Movie(movieId);
            await cache.RemoveAsync(key, cancellationToken);
            _ = EvictAgainAsync(cache, key);
        }
    }

    private static async Task EvictAgainAsync(HybridCache cache, string key)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            await cache.RemoveAsync(key);
        }
        catch (Exception)
        {
            // Best effort: the entry expires on its own.
        }
    }

    private async Task ApplyRatingAsync(EventEnvelope envelope, RatingChanged rating, CatalogDbContext db, CancellationToken cancellationToken)
    {
        var movie = await db.Movies.AsNoTracking()
            .Where(m => m.Id == rating.MovieId)
            .Select(m => new { m.ReleaseDate, m.Year })
            .SingleOrDefaultAsync(cancellationToken)
            ?? throw new UnknownMovieException(rating.MovieId);
        var newScore = rating.NewScore;
        if (newScore is not null && !Movie.IsReleased(movie.ReleaseDate, movie.Year, clock.Today()))
        {
            db.AddEvent(new RatingRejected(rating.MovieId, rating.UserId, envelope.AggregateVersion,
                "This film is not released yet, so its ratings do not count."));
            newScore = null;
        }

        // What was counted before, by Catalog's own record, not the event's word.
        var counted = await db.CountedRatings.FindAsync([rating.MovieId, rating.UserId], cancellationToken);
        if (counted is not null)
        {
            var old = Bucket(counted.Score);
            await UpdateAsync(db, rating.MovieId,
                $"UPDATE movies SET rating_count = rating_count - 1, histogram[{old}] = histogram[{old}] - 1 WHERE id = {rating.MovieId}", cancellationToken);
        }
        if (newScore is { } score)
        {
            var bucket = Bucket(score);
            await UpdateAsync(db, rating.MovieId,
                $"UPDATE movies SET rating_count = rating_count + 1, histogram[{bucket}] = histogram[{bucket}] + 1 WHERE id = {rating.MovieId}", cancellationToken);
        }

        switch (counted, newScore)
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
        await RecomputeAsync(db, rating.MovieId, cancellationToken);
    }

    private static async Task UpdateAsync(CatalogDbContext db, int movieId, FormattableString update, CancellationToken cancellationToken)
    {
        if (await db.Database.ExecuteSqlAsync(update, cancellationToken) == 0)
        {
            throw new UnknownMovieException(movieId);
        }
    }

    /// <summary>The average and popularity follow from the counters, so they never drift.</summary>
    private static async Task RecomputeAsync(CatalogDbContext db, int movieId, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync($"""
            UPDATE movies SET
                average_rating = CASE WHEN rating_count = 0 THEN 0
                    ELSE (SELECT sum(n * i * 0.5) FROM unnest(histogram) WITH ORDINALITY AS b(n, i)) / rating_count END,
                popularity = rating_count + 2 * wish_count + comment_count
            WHERE id = {movieId}
            """, cancellationToken);

    /// <summary>Postgres arrays count from 1: 0.5 stars is bucket 1, 5.0 stars bucket 10.</summary>
    private static int Bucket(decimal score) =>
        score is >= 0.5m and <= 5.0m && score % 0.5m == 0
            ? (int)(score * 2)
            : throw new ArgumentOutOfRangeException(nameof(score), score, "A score is 0.5 to 5.0 in half stars.");
}

public sealed class UnknownMovieException(int movieId) : Exception($"Film {movieId} is not in the catalogue.");
