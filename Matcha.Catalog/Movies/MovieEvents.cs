using Matcha.Catalog.Data;
using Matcha.EventBus;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Matcha.Catalog.Movies;

/// <summary>
/// A film was added or its facts changed. v2. Carries what other services keep a copy of:
/// the release facts, genres and the people credited; v2 added countries, running time and the
/// directors and leading cast with their names (for taste analysis). Aggregate <c>movie/{id}</c>,
/// version <see cref="Movie.Version"/>.
/// </summary>
public sealed record MovieChanged(
    int MovieId, int Year, DateOnly? ReleaseDate, IReadOnlyList<string> Genres, IReadOnlyList<int> PeopleIds, int Version,
    IReadOnlyList<string> Countries, int? Runtime, IReadOnlyList<CreditedPerson> Directors, IReadOnlyList<CreditedPerson> Cast)
    : IIntegrationEvent
{
    /// <summary>The leading cast carried: taste analysis weighs the stars, not the whole call sheet.</summary>
    public const int CastCarried = 10;

    public static string EventType => nameof(MovieChanged);
    public static int SchemaVersion => 2;
    public static string Topic => CatalogTopic.Name;
    public string AggregateId => $"movie/{MovieId}";
    public long AggregateVersion => Version;
}

/// <summary>A person credited on a film, named in English where Catalog has that name.</summary>
public sealed record CreditedPerson(int Id, string Name);

/// <summary>A film left the catalogue. v1.</summary>
public sealed record MovieRemoved(int MovieId, int Version) : IIntegrationEvent
{
    public static string EventType => nameof(MovieRemoved);
    public static int SchemaVersion => 1;
    public static string Topic => CatalogTopic.Name;
    public string AggregateId => $"movie/{MovieId}";
    public long AggregateVersion => Version;
}

public static class CatalogTopic
{
    public const string Name = "catalog";
}

/// <summary>
/// Finds the films a SaveChanges is about to write and, once they have ids, queues their
/// events in the same transaction (<see cref="CatalogDbContext.SaveChangesAsync(bool, CancellationToken)"/>).
/// Every writer (the seed, the importer, tests) is covered without having to remember it.
/// Statistics fed by Ratings are not facts and announce nothing.
/// </summary>
internal static class MovieEvents
{
    private static readonly HashSet<string> Statistics =
    [
        nameof(Movie.AverageRating), nameof(Movie.RatingCount), nameof(Movie.Histogram),
        nameof(Movie.Popularity), nameof(Movie.WishCount), nameof(Movie.CommentCount),
    ];

    public sealed record PendingChange(Movie Movie, bool Removed, int RemovedId);

    public static List<PendingChange> Collect(ChangeTracker tracker)
    {
        var changes = new List<PendingChange>();
        foreach (var entry in tracker.Entries<Movie>())
        {
            switch (entry.State)
            {
                case EntityState.Added:
                    changes.Add(new PendingChange(entry.Entity, false, 0));
                    break;
                case EntityState.Modified when entry.Properties.Any(p => p.IsModified && !Statistics.Contains(p.Metadata.Name)):
                    // A writer that forgot to bump the version would have its event dropped as stale.
                    var version = entry.Property(m => m.Version);
                    if (!version.IsModified)
                    {
                        entry.Entity.Version++;
                    }
                    changes.Add(new PendingChange(entry.Entity, false, 0));
                    break;
                case EntityState.Deleted:
                    changes.Add(new PendingChange(entry.Entity, true, entry.Entity.Id));
                    break;
            }
        }
        return changes;
    }

    public static async Task AddAsync(CatalogDbContext db, List<PendingChange> changes, CancellationToken cancellationToken)
    {
        var ids = changes.Where(c => !c.Removed).Select(c => c.Movie.Id).ToList();
        var credits = (await db.Credits.AsNoTracking()
                .Where(c => ids.Contains(c.MovieId))
                .Select(c => new { c.MovieId, c.PersonId, c.Role, c.Order, c.Person!.Names })
                .ToListAsync(cancellationToken))
            .ToLookup(c => c.MovieId);
        if (ids.Count > 0)
        {
            // A film back under an id it once had is no longer removed.
            await db.RemovedMovies.Where(r => ids.Contains(r.MovieId)).ExecuteDeleteAsync(cancellationToken);
        }
        foreach (var change in changes)
        {
            var movie = change.Movie;
            if (change.Removed)
            {
                db.AddEvent(new MovieRemoved(change.RemovedId, movie.Version + 1));
                // The tombstone lets the statistics projection reject ratings from Ratings' stale copy.
                db.RemovedMovies.Add(new RemovedMovie { MovieId = change.RemovedId, RemovedAt = DateTimeOffset.UtcNow });
            }
            else
            {
                var mine = credits[movie.Id].ToList();
                db.AddEvent(new MovieChanged(movie.Id, movie.Year, movie.ReleaseDate, [.. movie.Genres],
                    [.. mine.Select(c => c.PersonId).Distinct().Order()], movie.Version,
                    [.. movie.Countries], movie.Runtime,
                    [.. mine.Where(c => c.Role == CreditRole.Director).OrderBy(c => c.Order ?? int.MaxValue).Select(c => Credited(c.PersonId, c.Names))],
                    [.. mine.Where(c => c.Role == CreditRole.Cast).OrderBy(c => c.Order ?? int.MaxValue).Take(MovieChanged.CastCarried).Select(c => Credited(c.PersonId, c.Names))]));
            }
        }
    }

    private static CreditedPerson Credited(int personId, List<People.PersonName> names) =>
        new(personId, names.FirstOrDefault(n => n.Language == "en")?.Name ?? names.FirstOrDefault()?.Name ?? "");
}
