using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Matcha.Catalog.Rankings;
using Matcha.Catalog.Search;
using Matcha.Data;
using Matcha.EventBus;
using Microsoft.EntityFrameworkCore;
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

    /// <summary>What the batch changed, per film and per film and day, written by <see cref="FlushCommands"/>.</summary>
    private readonly Dictionary<int, StatisticsChange> _changes = [];
    private readonly Dictionary<(int MovieId, DateOnly Day), int> _activity = [];

    /// <summary>
    /// What the batch's events need, read by <see cref="PrepareCommands"/> in the inbox's round trip (an applier lives
    /// for one batch), then kept current by the events as they apply; null: no such row.
    /// </summary>
    private readonly Dictionary<int, ReleaseFacts?> _movies = [];
    private readonly Dictionary<(int MovieId, Guid UserId), decimal?> _counted = [];
    private readonly Dictionary<long, CountedComment?> _comments = [];

    /// <summary>The counted ratings and comments the batch changed, written by <see cref="FlushCommands"/>.</summary>
    private readonly HashSet<(int MovieId, Guid UserId)> _countedChanged = [];
    private readonly HashSet<long> _commentsChanged = [];

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

    /// <summary>The batch's films, counted ratings and counted comments, a statement each, sent with the inbox's.</summary>
    public IReadOnlyList<NpgsqlBatchCommand> PrepareCommands(IReadOnlyList<EventEnvelope> envelopes)
    {
        int[] movieIds = [.. envelopes.Select(MovieIdOf).OfType<int>().Distinct()];
        foreach (var movieId in movieIds)
        {
            _movies[movieId] = null;
        }

        // Looked up by their exact (film, user) pairs. "film in the batch's films and user in its users" made the
        // key's index walk every combination of the two lists: 4.6 ms and 293 buffers a batch at 200 writes/s.
        var pairs = envelopes.Where(e => e.Type == nameof(RatingChanged))
            .Select(e => e.PayloadAs<RatingChanged>()).Select(r => (r.MovieId, r.UserId)).Distinct().ToList();
        pairs.ForEach(pair => _counted[pair] = null);

        long[] commentIds = [.. envelopes.Select(e => e.Type switch
            {
                nameof(CommentPosted) => e.PayloadAs<CommentPosted>().CommentId,
                nameof(CommentRemoved) => e.PayloadAs<CommentRemoved>().CommentId,
                _ => (long?)null,
            }).OfType<long>().Distinct()];
        foreach (var commentId in commentIds)
        {
            _comments[commentId] = null;
        }

        return
        [
            Statements.Command("SELECT id, release_date, year FROM movies WHERE id = ANY($1)", movieIds),
            Statements.Command("""
                SELECT c.movie_id, c.user_id, c.score FROM unnest($1::integer[], $2::uuid[]) AS k(movie_id, user_id)
                JOIN counted_ratings AS c ON c.movie_id = k.movie_id AND c.user_id = k.user_id
                """, pairs.Select(p => p.MovieId).ToArray(), pairs.Select(p => p.UserId).ToArray()),
            Statements.Command("SELECT comment_id, movie_id, removed FROM counted_comments WHERE comment_id = ANY($1)", commentIds),
        ];
    }

    public async Task ReadPreparedAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        while (await reader.ReadAsync(cancellationToken))
        {
            _movies[reader.GetInt32(0)] = new ReleaseFacts(reader.IsDBNull(1) ? null : reader.GetFieldValue<DateOnly>(1), reader.GetInt32(2));
        }
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            _counted[(reader.GetInt32(0), reader.GetGuid(1))] = reader.GetDecimal(2);
        }
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            _comments[reader.GetInt64(0)] = new CountedComment { CommentId = reader.GetInt64(0), MovieId = reader.GetInt32(1), Removed = reader.GetBoolean(2) };
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
                ApplyRating(rating, change);
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
                    _comments[posted.CommentId] = new CountedComment { CommentId = posted.CommentId, MovieId = movieId };
                    _commentsChanged.Add(posted.CommentId);
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
                    _comments[removed.CommentId] = new CountedComment { CommentId = removed.CommentId, MovieId = movieId, Removed = true };
                    _commentsChanged.Add(removed.CommentId);
                }
                else if (!comment.Removed)
                {
                    comment.Removed = true;
                    _commentsChanged.Add(removed.CommentId);
                    change.Comments -= 1;
                }
                break;
            default:
                return;
        }
    }

    /// <summary>
    /// The batch's effect, sent with the consumer's COMMIT: one UPDATE for all its films (locked in id
    /// order, so two replicas lock films alike), one statement for the day counts, and the counted
    /// ratings and comments as they stand after the batch; a burst of ratings of one film rewrites its
    /// row once.
    /// </summary>
    public IReadOnlyList<NpgsqlBatchCommand> FlushCommands()
    {
        var commands = new List<NpgsqlBatchCommand>();
        if (StatisticsChange.ToCommand(_changes) is { } update)
        {
            commands.Add(update);
        }
        if (_activity.Count > 0)
        {
            commands.Add(Statements.Command("""
                INSERT INTO movie_activity (movie_id, day, count)
                SELECT * FROM unnest($1, $2, $3) ORDER BY 1, 2
                ON CONFLICT (movie_id, day) DO UPDATE SET count = movie_activity.count + excluded.count
                """, _activity.Keys.Select(k => k.MovieId).ToArray(), _activity.Keys.Select(k => k.Day).ToArray(), _activity.Values.ToArray()));
        }
        var taken = _countedChanged.Where(k => _counted[k] is null).ToList();
        if (taken.Count > 0)
        {
            commands.Add(Statements.Command("""
                DELETE FROM counted_ratings AS c USING unnest($1::integer[], $2::uuid[]) AS k(movie_id, user_id)
                WHERE c.movie_id = k.movie_id AND c.user_id = k.user_id
                """, taken.Select(k => k.MovieId).ToArray(), taken.Select(k => k.UserId).ToArray()));
        }
        var scored = _countedChanged.Where(k => _counted[k] is not null).OrderBy(k => k).ToList();
        if (scored.Count > 0)
        {
            commands.Add(Statements.Command("""
                INSERT INTO counted_ratings (movie_id, user_id, score)
                SELECT * FROM unnest($1::integer[], $2::uuid[], $3::numeric[])
                ON CONFLICT (movie_id, user_id) DO UPDATE SET score = excluded.score
                """, scored.Select(k => k.MovieId).ToArray(), scored.Select(k => k.UserId).ToArray(), scored.Select(k => _counted[k]!.Value).ToArray()));
        }
        if (_commentsChanged.Count > 0)
        {
            var comments = _commentsChanged.Order().Select(id => _comments[id]!).ToList();
            commands.Add(Statements.Command("""
                INSERT INTO counted_comments (comment_id, movie_id, removed)
                SELECT * FROM unnest($1::bigint[], $2::integer[], $3::boolean[])
                ON CONFLICT (comment_id) DO UPDATE SET removed = excluded.removed
                """, comments.Select(c => c.CommentId).ToArray(), comments.Select(c => c.MovieId).ToArray(), comments.Select(c => c.Removed).ToArray()));
        }
        return commands;
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

    /// <summary>Read by <see cref="PrepareCommands"/>; a film it did not see (an applier used on its own) is read here.</summary>
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

    private void ApplyRating(RatingChanged rating, StatisticsChange change)
    {
        // What was counted before, by Catalog's own record, not the event's word.
        var key = (rating.MovieId, rating.UserId);
        if (_counted.GetValueOrDefault(key) is { } counted)
        {
            change.Rate(counted, -1);
        }
        if (rating.NewScore is { } score)
        {
            change.Rate(score, +1);
        }
        _counted[key] = rating.NewScore;
        _countedChanged.Add(key);
    }

    /// <summary>Postgres arrays count from 1: 0.5 stars is bucket 1, 5.0 stars bucket 10.</summary>
    internal static int Bucket(decimal score) =>
        score is >= 0.5m and <= 5.0m && score % 0.5m == 0
            ? (int)(score * 2)
            : throw new ArgumentOutOfRangeException(nameof(score), score, "A score is 0.5 to 5.0 in half stars.");
}

public sealed class UnknownMovieException(int movieId) : Exception($"Film {movieId} is not in the catalogue.");
