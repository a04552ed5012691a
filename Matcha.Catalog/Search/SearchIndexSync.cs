using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Matcha.Catalog.Search;

/// <summary>
/// Builds the <see cref="SearchIndex"/> from Postgres on a background service (health and the
/// rest of the start do not wait: search asks Postgres meanwhile) and keeps it current from the
/// change log Postgres keeps itself, <c>search_changes</c> (migration SearchChanges: statement
/// triggers on insert, delete, and update of what search reads, COPY included). Each log row
/// carries its transaction's id; a catch-up reads the rows of transactions not older than the
/// oldest one running at its previous read (<c>pg_snapshot_xmin</c>), by the primary key
/// <c>(xid, seq)</c> — so a transaction that took its sequence numbers early and committed late
/// is not skipped, and a catch-up with nothing new is one index probe. It then reads those films
/// and people by id (a missing one was deleted); more than a page of changes (a bulk import, a COPY) is read whole
/// instead, built aside and swapped in. It runs every
/// <see cref="SearchIndexOptions.PollInterval"/>, and at once before a search that follows one of
/// this process's own writes. Ratings' statistics (popularity, rating count) go through the same
/// log: they change the order, and a row per changed film is cheap.
/// </summary>
internal sealed partial class SearchIndexSync(
    SearchIndex index, SearchIndexWrites writes, NpgsqlDataSource dataSource, Data.CatalogStandby standby, Data.CardCache cards,
    IOptions<SearchIndexOptions> options, TimeProvider clock, ILogger<SearchIndexSync> logger) : BackgroundService
{
    private readonly SemaphoreSlim _catchingUp = new(1, 1);
    private long _since = -1;   // xid8: the oldest transaction running at the last read; -1 before the first build
    private long _seenWrites;
    private DateTimeOffset _caughtUpAt;
    private DateTimeOffset _trimmedAt;
    private readonly Queue<(DateTimeOffset At, long Since)> _horizons = new();

    /// <summary>The films a search shows, best first, from memory; null while the index is not ready (ask Postgres).</summary>
    public async ValueTask<List<int>?> MoviesAsync(string q, int limit, CancellationToken ct)
    {
        if (!await ReadyAsync(ct))
        {
            return null;
        }
        return index.Movies(q, limit);
    }

    public async ValueTask<List<int>?> PeopleAsync(string q, int limit, CancellationToken ct)
    {
        if (!await ReadyAsync(ct))
        {
            return null;
        }
        return index.People(q, limit);
    }

    private async ValueTask<bool> ReadyAsync(CancellationToken ct)
    {
        // With a standby search reads it, as before: the index follows the primary, and its matches with the page read from
        // a lagging standby would show a film under a word it does not hold there yet (docs/catalog.md, "Reads on the standby").
        if (!options.Value.InMemory || standby.Enabled || !index.IsReady)
        {
            return false;
        }
        if (writes.Count != Interlocked.Read(ref _seenWrites))
        {
            await CatchUpAsync(ct);
        }
        return index.IsReady;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.InMemory || standby.Enabled)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CatchUpAsync(stoppingToken);
                if (clock.GetUtcNow() - _trimmedAt >= options.Value.TrimInterval)
                {
                    await TrimAsync(stoppingToken);
                }
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // Postgres not up or not migrated yet: search stays on Postgres (or on the index as it is) until the next round.
                LogCatchUpFailed(e);
            }
            await Task.Delay(options.Value.PollInterval, clock, stoppingToken);
        }
    }

    /// <summary>Applies every change logged since the last read (the first time, or after a long gap, reads everything).</summary>
    internal async Task CatchUpAsync(CancellationToken ct)
    {
        await _catchingUp.WaitAsync(ct);
        try
        {
            var writesBefore = writes.Count;
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            // Taken before the reads: a transaction whose rows they do not see has an xid at least this.
            long next;
            await using (var snapshot = new NpgsqlCommand("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint", connection))
            {
                next = (long)(await snapshot.ExecuteScalarAsync(ct))!;
            }

            // The log keeps KeepChanges: a replica that stopped reading for half of it (or never read) reads everything.
            if (_since < 0 || clock.GetUtcNow() - _caughtUpAt > options.Value.KeepChanges / 2
                || !await ApplyChangesAsync(connection, _since, ct))
            {
                await RebuildAsync(connection, ct);
            }
            _since = next;
            _caughtUpAt = clock.GetUtcNow();
            _horizons.Enqueue((_caughtUpAt, next));
            Interlocked.Exchange(ref _seenWrites, writesBefore);
        }
        finally
        {
            _catchingUp.Release();
        }
    }

    private async Task RebuildAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        var films = await ReadFilmsAsync(connection, null, ct);
        var people = await ReadPeopleAsync(connection, null, ct);
        index.Replace(films, people);
        cards.Clear();
        films.Clear();
        people.Clear();
        index.SetReady(true);
        var (filmCount, peopleCount, words) = index.Size;
        // The heap's growth over the first build is the index's size (the rows read are garbage by then); over a rebuild, the difference.
        var memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
        LogBuilt(filmCount, peopleCount, words, stopwatch.ElapsedMilliseconds, (memoryAfter - memoryBefore) / (1024 * 1024), memoryAfter / (1024 * 1024));
    }

    /// <summary>
    /// Reads the log from <paramref name="since"/> (one index range, at most a page) and applies those films and people,
    /// read by id (a missing one was deleted). False when the page is full: a bulk write (an import, a COPY) is read
    /// whole instead, built aside while searches go on with the index as it was.
    /// </summary>
    private async Task<bool> ApplyChangesAsync(NpgsqlConnection connection, long since, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        var films = new HashSet<int>();
        var people = new HashSet<int>();
        var rows = 0;
        await using (var command = new NpgsqlCommand("""
            SELECT kind, id FROM search_changes
            WHERE xid >= $1::text::xid8
            ORDER BY xid, seq
            LIMIT $2
            """, connection)
        {
            Parameters = { new() { Value = since.ToString(CultureInfo.InvariantCulture) }, new() { Value = options.Value.CatchUpPage } },
        })
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                (reader.GetChar(0) == 'p' ? people : films).Add(reader.GetInt32(1));
                rows++;
            }
        }
        if (rows == options.Value.CatchUpPage)
        {
            return false;
        }
        if (rows == 0)
        {
            return true;
        }
        // Committed changes by any writer (another replica, the importer): this process's cards of them go too.
        cards.DropFilms(films);
        cards.DropPeople(people);

        var changedFilms = await ReadFilmsAsync(connection, [.. films], ct);
        var changedPeople = await ReadPeopleAsync(connection, [.. people], ct);
        films.ExceptWith(changedFilms.Select(f => f.Id));
        people.ExceptWith(changedPeople.Select(p => p.Id));
        index.Apply(changedFilms, changedPeople, films, people);
        if (rows >= 1_000)
        {
            var (filmCount, peopleCount, _) = index.Size;
            LogApplied(rows, stopwatch.ElapsedMilliseconds, filmCount, peopleCount);
        }
        return true;
    }

    /// <summary>Deletes the log's rows older than <see cref="SearchIndexOptions.KeepChanges"/> (every replica read them long ago).</summary>
    private async Task TrimAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        long? horizon = null;
        while (_horizons.TryPeek(out var oldest) && now - oldest.At >= options.Value.KeepChanges)
        {
            horizon = _horizons.Dequeue().Since;
        }
        // Keep one horizon a minute, not one a poll.
        var kept = _horizons.ToArray();
        _horizons.Clear();
        foreach (var h in kept.GroupBy(h => h.At.ToUnixTimeSeconds() / 60).Select(g => g.First()))
        {
            _horizons.Enqueue(h);
        }
        _trimmedAt = now;
        if (horizon is not { } before)
        {
            return;
        }
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand("DELETE FROM search_changes WHERE xid < $1::text::xid8", connection)
        { Parameters = { new() { Value = before.ToString(CultureInfo.InvariantCulture) } } };
        var deleted = await command.ExecuteNonQueryAsync(ct);
        LogTrimmed(deleted);
    }

    private static async Task<List<FilmEntry>> ReadFilmsAsync(NpgsqlConnection connection, int[]? ids, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT id, search_text, title_keys, popularity, rating_count, year, prior_votes FROM movies
            {(ids is null ? "" : "WHERE id = ANY($1)")}
            """, connection);
        if (ids is not null)
        {
            command.Parameters.Add(new() { Value = ids });
        }
        await using var reader = await command.ExecuteReaderAsync(ct);
        var films = new List<FilmEntry>();
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetInt32(0);
            films.Add(new FilmEntry(id, reader.GetString(1), reader.GetFieldValue<string[]>(2),
                new SearchPrior(reader.GetDouble(3), reader.GetInt32(4), reader.GetInt32(5), id, reader.GetInt32(6))));
        }
        return films;
    }

    private static async Task<List<PersonEntry>> ReadPeopleAsync(NpgsqlConnection connection, int[]? ids, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT id, search_text FROM people {(ids is null ? "" : "WHERE id = ANY($1)")}", connection);
        if (ids is not null)
        {
            command.Parameters.Add(new() { Value = ids });
        }
        await using var reader = await command.ExecuteReaderAsync(ct);
        var people = new List<PersonEntry>();
        while (await reader.ReadAsync(ct))
        {
            people.Add(new PersonEntry(reader.GetInt32(0), reader.GetString(1)));
        }
        return people;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Search index: built; holds {Films} films, {People} people, {Words} words; {Milliseconds} ms; the heap grew by {Megabytes} MB to {HeapMegabytes} MB")]
    private partial void LogBuilt(int films, int people, int words, long milliseconds, long megabytes, long heapMegabytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Search index: applied {Rows} logged changes in {Milliseconds} ms; holds {Films} films, {People} people")]
    private partial void LogApplied(int rows, long milliseconds, int films, int people);

    [LoggerMessage(Level = LogLevel.Information, Message = "Search index: deleted {Rows} old rows of the change log")]
    private partial void LogTrimmed(int rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Search index: could not catch up; search asks Postgres until it does")]
    private partial void LogCatchUpFailed(Exception exception);
}
