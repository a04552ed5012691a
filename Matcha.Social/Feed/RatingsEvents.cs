using Matcha.Data;
using Matcha.EventBus;
using Matcha.Social.Data;
using Npgsql;

namespace Matcha.Social.Feed;

/// <summary>Social's reading of Ratings' RatingChanged v1.</summary>
public sealed record RatingChanged(int MovieId, Guid UserId, decimal? NewScore, DateTimeOffset ChangedAt);

/// <summary>Social's reading of Ratings' CommentPosted v1.</summary>
public sealed record CommentPosted(long CommentId, int MovieId, Guid UserId, DateTimeOffset PostedAt);

/// <summary>Social's reading of Ratings' CommentRemoved v1.</summary>
public sealed record CommentRemoved(long CommentId);

/// <summary>
/// Keeps <see cref="Activity"/> in step with Ratings; the consumer has already dropped stale versions.
/// A batch's events only gather their net effect (an applier lives for one batch), which
/// <see cref="FlushCommands"/> writes in one statement: a round trip per batch, where two per event made
/// Social the busiest consumer of Ratings' events at load (docs/performance.md).
/// </summary>
internal sealed class RatingsEventsApplier : IEventApplier<SocialDbContext>
{
    public const string Subscription = "social-ratings";
    public const string Topic = "ratings";

    /// <summary>Per member and film, the batch's last rating activity; null: the rating was removed.</summary>
    private readonly Dictionary<(Guid UserId, int MovieId), Activity?> _ratings = [];

    /// <summary>The rows to insert, in the order of the events that made them: their ids are the feed's order.</summary>
    private readonly List<Activity> _added = [];
    private readonly HashSet<long> _removedComments = [];

    public bool SaveAfterEachEvent => false;

    public Task ApplyAsync(EventEnvelope envelope, SocialDbContext db, CancellationToken cancellationToken)
    {
        switch (envelope.Type)
        {
            case nameof(RatingChanged):
                var rating = envelope.PayloadAs<RatingChanged>();
                // A changed rating replaces its row, so it rises to the top of the feed.
                if (_ratings.GetValueOrDefault((rating.UserId, rating.MovieId)) is { } earlier)
                {
                    _added.Remove(earlier);
                }
                var row = rating.NewScore is { } score
                    ? new Activity { UserId = rating.UserId, Kind = ActivityKind.Rated, MovieId = rating.MovieId, Score = score, OccurredAt = rating.ChangedAt }
                    : null;
                _ratings[(rating.UserId, rating.MovieId)] = row;
                if (row is not null)
                {
                    _added.Add(row);
                }
                break;
            case nameof(CommentPosted):
                var posted = envelope.PayloadAs<CommentPosted>();
                _added.Add(new Activity
                {
                    UserId = posted.UserId, Kind = ActivityKind.Commented, MovieId = posted.MovieId, CommentId = posted.CommentId, OccurredAt = posted.PostedAt,
                });
                break;
            case nameof(CommentRemoved):
                var removed = envelope.PayloadAs<CommentRemoved>();
                _added.RemoveAll(a => a.CommentId == removed.CommentId);
                _removedComments.Add(removed.CommentId);
                break;
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// The batch's rows replaced and removed, then its new rows inserted in event order, in one statement sent with the
    /// consumer's COMMIT: the deletes see the table as it was before the statement, so they never touch a row it inserts.
    /// </summary>
    public IReadOnlyList<NpgsqlBatchCommand> FlushCommands()
    {
        if (_ratings.Count == 0 && _added.Count == 0 && _removedComments.Count == 0)
        {
            return [];
        }
        var flush = Statements.Command("""
            WITH replaced AS (
                DELETE FROM activities a
                USING unnest($1::uuid[], $2::integer[]) AS r(user_id, movie_id)
                WHERE a.kind = 'Rated' AND a.user_id = r.user_id AND a.movie_id = r.movie_id
            ), uncommented AS (
                DELETE FROM activities WHERE comment_id = ANY($3)
            )
            INSERT INTO activities (user_id, kind, movie_id, score, comment_id, occurred_at)
            SELECT user_id, kind, movie_id, score, comment_id, occurred_at
            FROM unnest($4::uuid[], $5::text[], $6::integer[], $7::numeric[], $8::bigint[], $9::timestamptz[]) WITH ORDINALITY
                AS n(user_id, kind, movie_id, score, comment_id, occurred_at, position)
            ORDER BY position
            """,
            _ratings.Keys.Select(k => k.UserId).ToArray(),
            _ratings.Keys.Select(k => k.MovieId).ToArray(),
            _removedComments.ToArray(),
            _added.Select(a => a.UserId).ToArray(),
            _added.Select(a => a.Kind.ToString()).ToArray(),
            _added.Select(a => a.MovieId).ToArray(),
            _added.Select(a => a.Score).ToArray(),
            _added.Select(a => a.CommentId).ToArray(),
            _added.Select(a => a.OccurredAt.ToUniversalTime()).ToArray());
        _ratings.Clear();
        _added.Clear();
        _removedComments.Clear();
        return [flush];
    }
}
