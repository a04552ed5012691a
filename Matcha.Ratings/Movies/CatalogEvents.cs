using Matcha.EventBus;
using Matcha.Ratings.Data;
using Matcha.Ratings.Recommendations.Serving;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Ratings.Movies;

/// <summary>
/// Ratings' reading of Catalog's MovieChanged v2: only the fields it keeps; the rest is ignored.
/// The v2 fields are absent from v1 events, which leaves them empty.
/// </summary>
public sealed record MovieChanged(
    int MovieId, int Year, DateOnly? ReleaseDate, IReadOnlyList<string>? Genres, IReadOnlyList<int>? PeopleIds,
    IReadOnlyList<string>? Countries = null, int? Runtime = null,
    IReadOnlyList<CreditedPerson>? Directors = null, IReadOnlyList<CreditedPerson>? Cast = null);

/// <summary>Ratings' reading of Catalog's MovieRemoved v1.</summary>
public sealed record MovieRemoved(int MovieId);

/// <summary>Ratings' reading of Catalog's RatingRejected v1: the rating version Catalog refused, and why.</summary>
public sealed record RatingRejected(int MovieId, Guid UserId, long RatingVersion, string Reason);

/// <summary>Keeps <see cref="Movie"/> in step with Catalog and takes back the ratings it rejects; the consumer has already dropped stale versions.</summary>
internal sealed class CatalogEventsApplier(TimeProvider clock, FilmShelf shelf) : IEventApplier<RatingsDbContext>
{
    public const string Subscription = "ratings-movies";
    public const string Topic = "catalog";

    public async Task ApplyAsync(EventEnvelope envelope, RatingsDbContext db, CancellationToken cancellationToken)
    {
        switch (envelope.Type)
        {
            case nameof(MovieChanged):
                var changed = envelope.PayloadAs<MovieChanged>();
                var movie = await db.Movies.FindAsync([changed.MovieId], cancellationToken);
                if (movie is null)
                {
                    movie = new Movie { Id = changed.MovieId };
                    db.Movies.Add(movie);
                }
                movie.Year = changed.Year;
                movie.ReleaseDate = changed.ReleaseDate;
                movie.Genres = [.. changed.Genres ?? []];
                movie.PeopleIds = [.. changed.PeopleIds ?? []];
                movie.Countries = [.. changed.Countries ?? []];
                movie.Runtime = changed.Runtime;
                movie.Directors = [.. changed.Directors ?? []];
                movie.Cast = [.. changed.Cast ?? []];
                movie.Version = envelope.AggregateVersion;
                movie.RemovedAt = null;
                break;
            case nameof(MovieRemoved):
                var removed = envelope.PayloadAs<MovieRemoved>();
                var gone = await db.Movies.FindAsync([removed.MovieId], cancellationToken);
                if (gone is null)
                {
                    gone = new Movie { Id = removed.MovieId };
                    db.Movies.Add(gone);
                }
                gone.Version = envelope.AggregateVersion;
                gone.RemovedAt = clock.GetUtcNow();
                break;
            case nameof(RatingRejected):
                // Compensation: the rating stays on the user's page, marked with Catalog's reason,
                // unless the user has changed it since (that change is judged on its own).
                var rejected = envelope.PayloadAs<RatingRejected>();
                await db.Ratings
                    .Where(r => r.MovieId == rejected.MovieId && r.UserId == rejected.UserId && r.Version == rejected.RatingVersion && r.Score != null)
                    .ExecuteUpdateAsync(r => r.SetProperty(x => x.RejectedReason, rejected.Reason), cancellationToken);
                break;
            default:
                return;
        }
    }

    public Task AfterCommitAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        // This replica recommends a new film at once; the others within FilmListLifetime.
        if (envelope.Type is nameof(MovieChanged) or nameof(MovieRemoved))
        {
            shelf.Invalidate();
        }
        return Task.CompletedTask;
    }
}
