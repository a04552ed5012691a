using Matcha.EventBus;
using Matcha.Social.Data;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Social.Feed;

/// <summary>Social's reading of Ratings' RatingChanged v1.</summary>
public sealed record RatingChanged(int MovieId, Guid UserId, decimal? NewScore, DateTimeOffset ChangedAt);

/// <summary>Social's reading of Ratings' CommentPosted v1.</summary>
public sealed record CommentPosted(long CommentId, int MovieId, Guid UserId, DateTimeOffset PostedAt);

/// <summary>Social's reading of Ratings' CommentRemoved v1.</summary>
public sealed record CommentRemoved(long CommentId);

/// <summary>Keeps <see cref="Activity"/> in step with Ratings; the consumer has already dropped stale versions.</summary>
internal sealed class RatingsEventsApplier : IEventApplier<SocialDbContext>
{
    public const string Subscription = "social-ratings";
    public const string Topic = "ratings";

    public async Task ApplyAsync(EventEnvelope envelope, SocialDbContext db, CancellationToken cancellationToken)
    {
        switch (envelope.Type)
        {
            case nameof(RatingChanged):
                var rating = envelope.PayloadAs<RatingChanged>();
                await db.Activities.Where(a => a.UserId == rating.UserId && a.MovieId == rating.MovieId && a.Kind == ActivityKind.Rated)
                    .ExecuteDeleteAsync(cancellationToken);
                if (rating.NewScore is { } score)
                {
                    db.Activities.Add(new Activity
                    {
                        UserId = rating.UserId, Kind = ActivityKind.Rated, MovieId = rating.MovieId, Score = score, OccurredAt = rating.ChangedAt,
                    });
                }
                break;
            case nameof(CommentPosted):
                var posted = envelope.PayloadAs<CommentPosted>();
                db.Activities.Add(new Activity
                {
                    UserId = posted.UserId, Kind = ActivityKind.Commented, MovieId = posted.MovieId, CommentId = posted.CommentId, OccurredAt = posted.PostedAt,
                });
                break;
            case nameof(CommentRemoved):
                var removed = envelope.PayloadAs<CommentRemoved>();
                await db.Activities.Where(a => a.CommentId == removed.CommentId).ExecuteDeleteAsync(cancellationToken);
                break;
        }
    }
}
