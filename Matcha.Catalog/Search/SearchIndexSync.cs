using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Matcha.Catalog.Search;

/// <summary>
/// Builds the <see cref="SearchIndex"/> from Postgres on a background service (health and the
/// rest of the start do not wait: search asks Postgres meanwhile) and keeps it current by a
/// "changed since" read: every row whose <c>xmin</c> — the transaction that last wrote it — is
/// not older than the oldest transaction still running at the previous read. That catches every
/// writer, the importer CLI and a COPY included, without triggers; it reads each table's xmin
/// (a sequential scan, no index) every <see cref="SearchIndexOptions.PollInterval"/>, and at once
/// before a search that follows one of this process's own writes. Deletions by other writers are
/// found by comparing ids every <see cref="SearchIndexOptions.DeletionCheckInterval"/>; a search
/// never shows a deleted film meanwhile, because the page is read from Postgres by id.
/// </summary>
internal sealed partial class SearchIndexSync(
    SearchIndex index, SearchIndexWrites writes, NpgsqlDataSource dataSource,
    IOptions<SearchIndexOptions> options, TimeProvider clock, ILogger<SearchIndexSync> logger) : BackgroundService
{
    private const long XidSpace = 1L << 32;

    private readonly SemaphoreSlim _catchingUp = new(1, 1);
    private long _since = -1;   // 32-bit xid; -1 until the first full read
    private long _seenWrites;
    private DateTimeOffset _lastDeletionCheck;

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
        if (!options.Value.InMemory || !index.IsReady)
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
        if (!options.Value.InMemory)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CatchUpAsync(stoppingToken);
                if (clock.GetUtcNow() - _lastDeletionCheck >= options.Value.DeletionCheckInterval)
                {
                    await DropDeletedAsync(stoppingToken);
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

    /// <summary>Reads every film and person written since the last read into the index.</summary>
    internal async Task CatchUpAsync(CancellationToken ct)
    {
        await _catchingUp.WaitAsync(ct);
        try
        {
            var writesBefore = writes.Count;
            var stopwatch = Stopwatch.StartNew();
            var memoryBefore = GC.GetTotalMemory(forceFullCollection: false);

            await using var connection = await dataSource.OpenConnectionAsync(ct);
            // Taken before the reads: a transaction that commits after them has an xid at least this.
            long next;
            await using (var snapshot = new NpgsqlCommand("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint", connection))
            {
                next = (long)(await snapshot.ExecuteScalarAsync(ct))! % XidSpace;
            }
            // xids wrap at 2^32: then (or at the first read) everything is read again.
            var since = _since < 0 || next < _since ? -1 : _since;

            var films = await ReadFilmsAsync(connection, since, ct);
            var people = await ReadPeopleAsync(connection, since, ct);
            var large = films.Count + people.Count > options.Value.LargeCatchUp;
            if (large)
            {
                index.SetReady(false);
            }
            index.Apply(films, people);
            index.SetReady(true);
            _since = next;
            Interlocked.Exchange(ref _seenWrites, writesBefore);

            if (large || since < 0)
            {
                var (filmCount, peopleCount, words) = index.Size;
                // The heap's growth over a build of many rows is about the index's size (the rows read are garbage by then).
                var megabytes = (GC.GetTotalMemory(forceFullCollection: true) - memoryBefore) / (1024 * 1024);
                LogBuilt(films.Count + people.Count, filmCount, peopleCount, words, stopwatch.ElapsedMilliseconds, megabytes);
            }
        }
        finally
        {
            _catchingUp.Release();
        }
    }

    private async Task DropDeletedAsync(CancellationToken ct)
    {
        var (films, people) = index.Ids();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        films.ExceptWith(await IdsAsync(connection, "movies", ct));
        people.ExceptWith(await IdsAsync(connection, "people", ct));
        if (films.Count + people.Count > 0)
        {
            index.Apply([], [], films, people);
        }
        _lastDeletionCheck = clock.GetUtcNow();
    }

    private static async Task<List<FilmEntry>> ReadFilmsAsync(NpgsqlConnection connection, long since, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            SELECT id, search_text, title_keys, popularity, rating_count, year FROM movies
            WHERE $1 < 0 OR xmin::text::bigint >= $1
            """, connection)
        { Parameters = { new() { Value = since } } };
        await using var reader = await command.ExecuteReaderAsync(ct);
        var films = new List<FilmEntry>();
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetInt32(0);
            films.Add(new FilmEntry(id, reader.GetString(1), reader.GetFieldValue<string[]>(2),
                new SearchPrior(reader.GetDouble(3), reader.GetInt32(4), reader.GetInt32(5), id)));
        }
        return films;
    }

    private static async Task<List<PersonEntry>> ReadPeopleAsync(NpgsqlConnection connection, long since, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT id, search_text FROM people WHERE $1 < 0 OR xmin::text::bigint >= $1", connection)
        { Parameters = { new() { Value = since } } };
        await using var reader = await command.ExecuteReaderAsync(ct);
        var people = new List<PersonEntry>();
        while (await reader.ReadAsync(ct))
        {
            people.Add(new PersonEntry(reader.GetInt32(0), reader.GetString(1)));
        }
        return people;
    }

    private static async Task<List<int>> IdsAsync(NpgsqlConnection connection, string table, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT id FROM {table}", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var ids = new List<int>();
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetInt32(0));
        }
        return ids;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Search index: read {Rows} rows; holds {Films} films, {People} people, {Words} words; {Milliseconds} ms; the heap grew by {Megabytes} MB")]
    private partial void LogBuilt(int rows, int films, int people, int words, long milliseconds, long megabytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Search index: could not catch up; search asks Postgres until it does")]
    private partial void LogCatchUpFailed(Exception exception);
}
