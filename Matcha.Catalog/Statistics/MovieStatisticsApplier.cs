using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Matcha.Catalog.Rankings;
using Matcha.Catalog.Search;
using Matcha.EventBus;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Caching.Hybrid;
using Npgsql;

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
public sealed class MovieStatisticsApplier(
    TimeProvider clock, HybridCache cache, CardCache cards, StatisticsChanges changes, CatalogStandby standby, SearchIndexWrites searchWrites) : IEventApplier<CatalogDbContext>
{
    public const string Subscription = "catalog-stats";
    public const string Topic = "ratings";
    private const string WantToWatch = "WantToWatch";

    public const string NotReleasedReason = "This film is not released yet, so its ratings do not count.";
    public const string RemovedReason = "This film was removed from the catalogue, so its ratings no longer count.";

    /// <summary>What the batch changed, per film and per film and day, written by <see cref="FlushAsync"/>.</summary>
    private readonly Dictionary<int, StatisticsChange> _changes = [];
    private readonly Dictionary<(int MovieId, DateOnly Day), int> _activity = [];

    /// <summary>What the batch's events need, read once by <see cref="PrepareAsync"/> (an applier lives for one batch); null: no such row.</summary>
    private readonly Dictionary<int, ReleaseFacts?> _movies = [];
    private readonly Dictionary<(int MovieId, Guid UserId), CountedRating?> _counted = [];
    private readonly Dictionary<(int MovieId, Guid UserId), CountedRating> _uncounted = [];
    private readonly Dictionary<long, CountedComment?> _comments = [];

    /// <summary>
    /// A wish change is counted by its delta (new state − old state), and the deltas of one user's
    /// wish for one film add up to the right count in any order, each applied once: an older one
    /// that arrives after its successor (claimed again from a replica that died) still counts.
    /// Ratings and comments are counted from the state kept per user and film or per comment, so a
    /// stale one is rightly dropped.
    /// </summary>
    public bool AppliesWhenStale(EventEnvelope envelope) => envelope.Type == nameof(WishlistChanged);

    /// <summary>The events find what they read in the dictionaries above, so nothing needs saving between them.</summary>
    public bool SaveAfterEachEvent => false;

    private sealed record ReleaseFacts(DateOnly? ReleaseDate, int Year);

    /// <summary>The batch's films, counted ratings and counted comments, one query each, before any event is applied.</summary>
    public async Task PrepareAsync(IReadOnlyList<EventEnvelope> envelopes, CatalogDbContext db, CancellationToken cancellationToken)
    {
        int[] movieIds = [.. envelopes.Select(MovieIdOf).OfType<int>().Distinct()];
        if (movieIds.Length > 0)
        {
            var found = await db.Movies.AsNoTracking()
                .Where(m => movieIds.Contains(m.Id))
                .Select(m => new { m.Id, Facts = new ReleaseFacts(m.ReleaseDate, m.Year) })
                .ToDictionaryAsync(m => m.Id, m => m.Facts, cancellationToken);
            foreach (var movieId in movieIds)
            {
                _movies[movieId] = found.GetValueOrDefault(movieId);
            }
        }

        var ratings = envelopes.Where(e => e.Type == nameof(RatingChanged)).Select(e => e.PayloadAs<RatingChanged>()).ToList();
        if (ratings.Count > 0)
        {
            // Looked up by their exact (film, user) pairs. "film in the batch's films and user in its users" made the
            // key's index walk every combination of the two lists: 4.6 ms and 293 buffers a batch at 200 writes/s.
            var pairs = ratings.Select(r => (r.MovieId, r.UserId)).Distinct().ToList();
            int[] films = [.. pairs.Select(p => p.MovieId)];
            Guid[] users = [.. pairs.Select(p => p.UserId)];
            var counted = await db.CountedRatings.FromSql($"""
                SELECT c.* FROM unnest({films}, {users}) AS k(movie_id, user_id)
                JOIN counted_ratings AS c ON c.movie_id = k.movie_id AND c.user_id = k.user_id
                """).ToListAsync(cancellationToken);
            ratings.ForEach(r => _counted.TryAdd((r.MovieId, r.UserId), null));
            counted.ForEach(c => _counted[(c.MovieId, c.UserId)] = c);
        }

        long[] commentIds = [.. envelopes.Select(e => e.Type switch
            {
                nameof(CommentPosted) => e.PayloadAs<CommentPosted>().CommentId,
                nameof(CommentRemoved) => e.PayloadAs<CommentRemoved>().CommentId,
                _ => (long?)null,
            }).OfType<long>().Distinct()];
        if (commentIds.Length > 0)
        {
            var known = await db.CountedComments.Where(c => commentIds.Contains(c.CommentId)).ToListAsync(cancellationToken);
            commentIds.ToList().ForEach(id => _comments.TryAdd(id, null));
            known.ForEach(c => _comments[c.CommentId] = c);
        }
    }

    public async Task ApplyAsync(EventEnvelope envelope, CatalogDbContext db, CancellationToken cancellationToken)
    {
        if (MovieIdOf(envelope) is not { } movieId)
        {
            return;
        }
        var movie = await FindMovieAsync(db, movieId, cancellationToken);
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
        var change = _changes.TryGetValue(movieId, out var gathered) ? gathered : _changes[movieId] = new StatisticsChange();
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
                    CountActivity(movieId, day);
                }
                ApplyRating(rating, db, change);
                break;
            case nameof(WishlistChanged):
                var wish = envelope.PayloadAs<WishlistChanged>();
                var wishes = (wish.NewState == WantToWatch ? 1 : 0) - (wish.OldState == WantToWatch ? 1 : 0);
                change.Wishes += wishes;
                if (wishes > 0)
                {
                    CountActivity(movieId, day);
                }
                break;
            case nameof(CommentPosted):
                var posted = envelope.PayloadAs<CommentPosted>();
                if (_comments.GetValueOrDefault(posted.CommentId) is null)
                {
                    db.CountedComments.Add(_comments[posted.CommentId] = new CountedComment { CommentId = posted.CommentId, MovieId = movieId });
                    change.Comments += 1;
                    CountActivity(movieId, day);
                }
                break;
            case nameof(CommentRemoved):
                var removed = envelope.PayloadAs<CommentRemoved>();
                var comment = _comments.GetValueOrDefault(removed.CommentId);
                if (comment is null)
                {
                    // Removed before Catalog counted it: nothing to subtract, and nothing to add should CommentPosted come late.
                    db.CountedComments.Add(_comments[removed.CommentId] = new CountedComment { CommentId = removed.CommentId, MovieId = movieId, Removed = true });
                }
                else if (!comment.Removed)
                {
                    comment.Removed = true;
                    change.Comments -= 1;
                }
                break;
            default:
                return;
        }
    }

    /// <summary>
    /// The batch's effect in one round trip: one UPDATE for all its films (locked in id order, so
    /// two replicas lock films alike) and one statement for the day counts; a burst of ratings of
    /// one film rewrites its row once.
    /// </summary>
    public async Task FlushAsync(CatalogDbContext db, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var batch = new NpgsqlBatch(connection, (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
        if (StatisticsChange.ToCommand(_changes) is { } update)
        {
            batch.BatchCommands.Add(update);
        }
        if (_activity.Count > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                INSERT INTO movie_activity (movie_id, day, count)
                SELECT * FROM unnest($1, $2, $3) ORDER BY 1, 2
                ON CONFLICT (movie_id, day) DO UPDATE SET count = movie_activity.count + excluded.count
                """)
            {
                Parameters =
                {
                    new() { Value = _activity.Keys.Select(k => k.MovieId).ToArray() },
                    new() { Value = _activity.Keys.Select(k => k.Day).ToArray() },
                    new() { Value = _activity.Values.ToArray() },
                },
            });
        }
        _changes.Clear();
        _activity.Clear();
        if (batch.BatchCommands.Count > 0)
        {
            // One round trip for the whole batch's statistics.
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public Task AfterCommitAsync(EventEnvelope envelope, CancellationToken cancellationToken) =>
        AfterBatchCommitAsync([envelope], cancellationToken);

    public async Task AfterBatchCommitAsync(IReadOnlyList<EventEnvelope> applied, CancellationToken cancellationToken)
    {
        var movieIds = applied.Select(MovieIdOf).OfType<int>().Distinct().ToList();
        if (movieIds.Count == 0)
        {
            return;
        }
        // Cards, and the film page, serve statistics from memory: drop them so the next read shows the change.
        cards.DropFilms(movieIds);
        // The film page serves its statistics from the cache: drop it so the next read shows the change
        // (read from the primary while the fence lasts: a standby may not have replayed this commit yet).
        await standby.FenceAsync(movieIds.Select(CacheKeys.Movie));
        // Each key at once, not HybridCache's RemoveAsync(keys), which awaits one Redis round trip
        // per key in turn: a batch of 100 films spent up to half a second here at load, and the
        // consumer reads its next batch only after this (docs/performance.md).
        await Task.WhenAll(movieIds.Select(id => cache.RemoveAsync(CacheKeys.Movie(id), cancellationToken).AsTask()));
        // Rankings and browse lists follow within a bounded time (RankingsProjection); search's order at its next search
        // (the batch above is Npgsql's own, which the search index's EF interceptor does not see).
        movieIds.ForEach(changes.Changed);
        searchWrites.Noticed();
    }

    private static int? MovieIdOf(EventEnvelope envelope) =>
        envelope.Payload.TryGetProperty("movieId", out var id) && id.TryGetInt32(out var movieId) ? movieId : null;

    /// <summary>Prepared by <see cref="PrepareAsync"/>; a film it did not see is read here.</summary>
    private async Task<ReleaseFacts?> FindMovieAsync(CatalogDbContext db, int movieId, CancellationToken cancellationToken)
    {
        if (!_movies.TryGetValue(movieId, out var facts))
        {
            facts = _movies[movieId] = await db.Movies.AsNoTracking()
                .Where(m => m.Id == movieId)
                .Select(m => new ReleaseFacts(m.ReleaseDate, m.Year))
                .SingleOrDefaultAsync(cancellationToken);
        }
        return facts;
    }

    private void CountActivity(int movieId, DateOnly day) =>
        _activity[(movieId, day)] = _activity.GetValueOrDefault((movieId, day)) + 1;

    private void ApplyRating(RatingChanged rating, CatalogDbContext db, StatisticsChange change)
    {
        // What was counted before, by Catalog's own record, not the event's word.
        var key = (rating.MovieId, rating.UserId);
        var counted = _counted.GetValueOrDefault(key);
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
            case (null, { } added) when _uncounted.Remove(key, out var deleted):
                // Taken out earlier in this batch and back now: the row stays, with the new score.
                deleted.Score = added;
                db.Entry(deleted).State = EntityState.Modified;
                _counted[key] = deleted;
                break;
            case (null, { } added):
                db.CountedRatings.Add(_counted[key] = new CountedRating { MovieId = rating.MovieId, UserId = rating.UserId, Score = added });
                break;
            case ({ }, null):
                db.CountedRatings.Remove(counted);
                if (db.Entry(counted).State == EntityState.Deleted)
                {
                    _uncounted[key] = counted;
                }
                _counted[key] = null;
                break;
            case ({ }, { } changed):
                counted.Score = changed;
                break;
        }
    }

    /// <summary>Postgres arrays count from 1: 0.5 stars is bucket 1, 5.0 stars bucket 10.</summary>
    internal static int Bucket(decimal score) =>
        score is >= 0.5m and <= 5.0m && score % 0.5m == 0
            ? (int)(score * 2)
            : throw new ArgumentOutOfRangeException(nameof(score), score, "A score is 0.5 to 5.0 in half stars.");
}

public sealed class UnknownMovieException(int movieId) : Exception($"Film {movieId} is not in the catalogue.");
