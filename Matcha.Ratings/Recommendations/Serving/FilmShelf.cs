using Matcha.Ratings.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Matcha.Ratings.Recommendations.Serving;

/// <summary>A film as recommendations filter it.</summary>
public sealed record ShelfFilm(int Id, string[] Genres, DateOnly? ReleaseDate, int Year)
{
    public bool IsReleasedOn(DateOnly day) => ReleaseDate is { } release ? release <= day : Year > 0 && Year < day.Year;

    /// <summary>The same facts (a record compares its genres array by reference).</summary>
    public bool SameAs(ShelfFilm other) =>
        Id == other.Id && ReleaseDate == other.ReleaseDate && Year == other.Year && Genres.AsSpan().SequenceEqual(other.Genres);
}

/// <summary>
/// Every film in Ratings' copy, held in memory: ranking recommendations scores every film, and
/// reading them all from Postgres for each request would cost far more than scoring.
/// <list type="bullet">
/// <item>The first request reads the list, once however many arrive together; they all wait for
/// that read, which runs with a DbContext of its own, since the request that started it may end
/// before it does.</item>
/// <item>After <see cref="RecommendationOptions.FilmListLifetime"/> the list is checked again in the
/// background while requests go on getting the one they had (stale while revalidating): when the
/// list expired, every request in flight used to wait for the read of 100,000 films.</item>
/// <item>The check reads the table's <see cref="FilmListStamp"/> first, one row kept by triggers,
/// and reads the films only when it differs from the stamp of the list in hand. Reading 100,000
/// films every 30 s cost Postgres 0.28 s and Ratings more, and a home screen that met it waited
/// (docs/performance.md, "The thread pool's spinning and the film list's stamp"); counting them
/// for the stamp cost 98–145 ms ("The film list's stamp in one row").</item>
/// <item>A check that fails keeps the list in hand and is tried again after
/// <see cref="RetryAfterFailure"/>, not by every request that follows.</item>
/// <item>A list read again with the same films is not a new list: the instance stays, and so do
/// the rankings kept under it (<see cref="RecommendationsApi"/>'s top picks are keyed by it).</item>
/// <item>The replica that applies a film's event calls <see cref="Invalidate"/>: the next request
/// waits for a list read after the change. The others' lists catch up within the lifetime.</item>
/// </list>
/// </summary>
public sealed partial class FilmShelf
{
    private readonly Func<CancellationToken, Task<FilmListRead>> _read;
    private readonly Func<CancellationToken, Task<FilmListStamp>>? _stamp;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private Shelf? _shelf;
    private Task<Shelf>? _reading;
    private long _generation;

    private sealed record Shelf(IReadOnlyList<ShelfFilm> Films, FilmListStamp? Stamp, DateTimeOffset CheckAfter);

    /// <summary>How long a list whose check failed is served before the next try (at most the lifetime).</summary>
    internal static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);

    public FilmShelf(IServiceScopeFactory scopes, IOptions<RecommendationOptions> options, TimeProvider clock, ILogger<FilmShelf> logger)
        : this(ct => ReadAllAsync(scopes, ct), ct => StampAsync(scopes, ct), options.Value.FilmListLifetime, clock, logger)
    {
    }

    /// <summary>A shelf whose every check reads the films (no stamp).</summary>
    internal FilmShelf(Func<CancellationToken, Task<IReadOnlyList<ShelfFilm>>> read, TimeSpan lifetime, TimeProvider clock, ILogger logger)
        : this(async ct => new FilmListRead(await read(ct), null), null, lifetime, clock, logger)
    {
    }

    internal FilmShelf(
        Func<CancellationToken, Task<FilmListRead>> read, Func<CancellationToken, Task<FilmListStamp>>? stamp, TimeSpan lifetime, TimeProvider clock, ILogger logger)
    {
        (_read, _stamp, _lifetime, _clock, _logger) = (read, stamp, lifetime, clock, logger);
    }

    /// <summary>The read in flight, if any (tests wait for a background read to be taken in).</summary>
    internal Task? PendingRead
    {
        get
        {
            lock (_gate)
            {
                return _reading;
            }
        }
    }

    /// <summary>Called once a film change has committed on this replica.</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            // A read in flight may have started before the change: it is not kept (its generation is old).
            _generation++;
            _shelf = null;
            _reading = null;
        }
    }

    public async Task<IReadOnlyList<ShelfFilm>> AllAsync(CancellationToken cancellationToken)
    {
        Task<Shelf> reading;
        lock (_gate)
        {
            if (_shelf is { } shelf)
            {
                if (_clock.GetUtcNow() >= shelf.CheckAfter && _reading is null)
                {
                    // Nobody waits for this read: its failure is logged here, and the list in hand stays.
                    _reading = ReadAsync(_generation, shelf.Stamp);
                    _reading.ContinueWith(read => LogRefreshFailed(read.Exception!), CancellationToken.None,
                        TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
                return shelf.Films;
            }
            reading = _reading ??= ReadAsync(_generation, inHand: null);
        }
        // A request that gives up stops waiting; the read goes on for the others.
        return (await reading.WaitAsync(cancellationToken)).Films;
    }

    /// <summary>
    /// Which of <paramref name="ids"/> the list holds (films in Ratings' copy, not removed), each by a binary search, since
    /// the list is in id order: a screen's batch of film states asks it instead of Postgres. As fresh as the list: at once
    /// on the replica that applied a film's change, within <see cref="RecommendationOptions.FilmListLifetime"/> on the others.
    /// </summary>
    public async Task<HashSet<int>> KnownAsync(IEnumerable<int> ids, CancellationToken cancellationToken)
    {
        var films = await AllAsync(cancellationToken);
        return [.. ids.Where(id => IndexOf(films, id) >= 0)];
    }

    private static bool InIdOrder(IReadOnlyList<ShelfFilm> films)
    {
        for (var i = 1; i < films.Count; i++)
        {
            if (films[i - 1].Id >= films[i].Id)
            {
                return false;
            }
        }
        return true;
    }

    private static int IndexOf(IReadOnlyList<ShelfFilm> films, int id)
    {
        var (low, high) = (0, films.Count - 1);
        while (low <= high)
        {
            var middle = low + (high - low) / 2;
            var order = films[middle].Id.CompareTo(id);
            if (order == 0)
            {
                return middle;
            }
            (low, high) = order < 0 ? (middle + 1, high) : (low, middle - 1);
        }
        return -1;
    }

    private async Task<Shelf> ReadAsync(long generation, FilmListStamp? inHand)
    {
        // Off the caller's thread and out of the lock it holds.
        await Task.Yield();
        try
        {
            if (inHand is { } stamp && _stamp is not null && await _stamp(CancellationToken.None) == stamp)
            {
                lock (_gate)
                {
                    // Nothing changed since the list in hand was read: it stays, and its lifetime starts again.
                    if (generation == _generation && _shelf is { } kept && kept.Stamp == stamp)
                    {
                        _reading = null;
                        _shelf = kept with { CheckAfter = _clock.GetUtcNow() + _lifetime };
                        return _shelf;
                    }
                }
            }
            var (films, readStamp) = await _read(CancellationToken.None);
            if (!InIdOrder(films))
            {
                films = [.. films.OrderBy(f => f.Id)];   // in id order: KnownAsync searches by id, and two reads compare film by film
            }
            lock (_gate)
            {
                if (generation != _generation)
                {
                    return new Shelf(films, readStamp, _clock.GetUtcNow() + _lifetime);
                }
                _reading = null;
                var kept = _shelf is { } old && old.Films.Count == films.Count && old.Films.Zip(films).All(pair => pair.First.SameAs(pair.Second))
                    ? old.Films
                    : films;
                _shelf = new Shelf(kept, readStamp, _clock.GetUtcNow() + _lifetime);
                return _shelf;
            }
        }
        catch
        {
            lock (_gate)
            {
                if (generation == _generation)
                {
                    _reading = null;
                    // A list in hand is served for a while before the next try, not checked again by every request that
                    // follows: a check that fails every time (Postgres away, a broken statement) cost each request a read
                    // and a logged stack trace. Without a list the next request reads again, as its callers wait for one.
                    if (_shelf is { } served)
                    {
                        _shelf = served with { CheckAfter = _clock.GetUtcNow() + (RetryAfterFailure < _lifetime ? RetryAfterFailure : _lifetime) };
                    }
                }
            }
            throw;
        }
    }

    private static async Task<FilmListRead> ReadAllAsync(IServiceScopeFactory scopes, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RatingsDbContext>();
        // Removed films too, in the same statement: the stamp counts every row, and this list's stamp must be the one
        // of the rows it was made from.
        var rows = await db.Movies.AsNoTracking()
            .Select(m => new { m.Id, m.Genres, m.ReleaseDate, m.Year, m.Version, Removed = m.RemovedAt != null })
            .ToListAsync(cancellationToken);
        // Not in id order: ReadAsync sorts the list in memory. ORDER BY id made Postgres walk the primary key and fetch
        // the rows one by one (647 ms and 100,345 buffers at 100,000 films in the screens benchmark, against a
        // sequential scan's few thousand).
        var stamp = new FilmListStamp(rows.Count, rows.Sum(f => (decimal)f.Version));
        return new FilmListRead([.. rows.Where(f => !f.Removed).Select(f => new ShelfFilm(f.Id, [.. f.Genres], f.ReleaseDate, f.Year))], stamp);
    }

    private static async Task<FilmListStamp> StampAsync(IServiceScopeFactory scopes, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RatingsDbContext>();
        // One row, kept by the films' statement triggers in the transactions that change them (migration FilmListStamp):
        // counting 100,000 films for every check cost Postgres 98–145 ms. The columns are named as the context's snake_case
        // convention maps StampRow's properties (rows, version_sum): quoted "Rows" and "VersionSum" made every check fail.
        var row = await db.Database
            .SqlQuery<StampRow>($"SELECT rows, version_sum FROM film_list_stamp")
            .SingleAsync(cancellationToken);
        return new FilmListStamp(row.Rows, row.VersionSum);
    }

    private sealed record StampRow(long Rows, decimal VersionSum);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The film list could not be read again; the one in hand is served until the next try")]
    private partial void LogRefreshFailed(Exception exception);
}

/// <summary>
/// What the film table holds, in two numbers: its rows, removed films included, and the sum of their
/// versions. Every change a film's event makes raises one of them — a new film adds a row, and a
/// changed or removed one takes its event's version, which only grows (the inbox drops older ones) —
/// so an equal stamp means the same films.
/// </summary>
public readonly record struct FilmListStamp(long Rows, decimal VersionSum);

/// <summary>The films not removed, and the stamp of the rows they were read from (null when the read has none).</summary>
public readonly record struct FilmListRead(IReadOnlyList<ShelfFilm> Films, FilmListStamp? Stamp);
