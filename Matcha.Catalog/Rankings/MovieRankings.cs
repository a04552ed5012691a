using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Matcha.Catalog.Rankings;

/// <summary>
/// The rankings, one Redis sorted set per kind, members the film ids (zero-padded, so that equal
/// scores rank the newer film first), scores read from Postgres, which stays the source of
/// truth: every write puts a film's current standing from catalogdb, never an increment, and a
/// marker key tells whether Redis still holds what was built. When the marker is gone (Redis
/// restarted empty, flushed, failed over) the sets are rebuilt from catalogdb before use.
/// </summary>
public sealed class MovieRankings(IConnectionMultiplexer redis, NpgsqlDataSource catalogDb, IOptions<RankingsOptions> options, TimeProvider clock) : IDisposable
{
    public static readonly string[] Kinds = ["top-rated", "most-wished", "trending"];

    // The hash tag {rankings} keeps every ranking, its ":building" copy and the marker in one
    // slot of a Redis Cluster: the rebuild renames and sets them in one MULTI/EXEC, which a
    // cluster accepts only when every key is in the same slot.
    private const string Prefix = "matcha:{rankings}:";
    private const string Marker = Prefix + "marker";
    private const int MaxWriteRounds = 3;
    private readonly SemaphoreSlim _writes = new(1, 1);

    /// <summary>The ids of the first <paramref name="limit"/> films of a ranking, best first.</summary>
    public async Task<IReadOnlyList<int>> TopAsync(string kind, int limit, CancellationToken cancellationToken)
    {
        IDatabase database;
        try
        {
            database = redis.GetDatabase();
            if (!await database.KeyExistsAsync(Marker))
            {
                await RebuildAsync(cancellationToken);
            }
            var members = await database.SortedSetRangeByRankAsync(Key(kind), 0, limit - 1, Order.Descending);
            return [.. members.Select(m => int.Parse(m.ToString(), CultureInfo.InvariantCulture))];
        }
        catch (Exception ex) when (ex is RedisException or RankingsLostException)
        {
            // Redis unreachable (or lost the rankings while they were rebuilt): the same ranking, computed from catalogdb.
            var standings = await LoadAsync(null, cancellationToken);
            return [.. standings
                .Select(s => (s.MovieId, Score: s.Score(kind, options.Value)))
                .Where(s => s.Score is not null)
                .OrderByDescending(s => s.Score).ThenByDescending(s => s.MovieId)
                .Take(limit)
                .Select(s => s.MovieId)];
        }
    }

    /// <summary>
    /// Puts the current standing of these films into every ranking (or rebuilds all, when Redis
    /// lost them). Returns the films whose standing kept changing while they were written: the
    /// caller tries them again.
    /// </summary>
    public async Task<IReadOnlyCollection<int>> RefreshAsync(IReadOnlyCollection<int> movieIds, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken);
        try
        {
            var database = redis.GetDatabase();
            if (!await database.KeyExistsAsync(Marker))
            {
                return await RebuildLockedAsync(cancellationToken);
            }
            if (movieIds.Count == 0)
            {
                return [];
            }
            return await PutAsync(database, movieIds, await LoadByIdAsync(movieIds, cancellationToken), cancellationToken);
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>
    /// Writes the standings read, then reads them again and writes those that changed meanwhile,
    /// until what it wrote is what catalogdb says. Two Catalog replicas can refresh one film at
    /// once: the one that read first may write last, putting back the older figure. Whoever
    /// writes last reads again after its write, so the last write of a film is never an older
    /// figure than the database's; a commit after that read has a refresh of its own to come.
    /// </summary>
    private async Task<IReadOnlyCollection<int>> PutAsync(
        IDatabase database, IReadOnlyCollection<int> movieIds, Dictionary<int, Standing> read, CancellationToken cancellationToken)
    {
        for (var round = 1; ; round++)
        {
            var batch = database.CreateBatch();
            var writes = new List<Task>();
            foreach (var movieId in movieIds)
            {
                read.TryGetValue(movieId, out var standing);
                foreach (var kind in Kinds)
                {
                    writes.Add(standing?.Score(kind, options.Value) is { } score
                        ? batch.SortedSetAddAsync(Key(kind), Member(movieId), score)
                        : batch.SortedSetRemoveAsync(Key(kind), Member(movieId)));
                }
            }
            batch.Execute();
            await Task.WhenAll(writes);

            var again = await LoadByIdAsync(movieIds, cancellationToken);
            movieIds = [.. movieIds.Where(id => again.GetValueOrDefault(id) != read.GetValueOrDefault(id))];
            if (movieIds.Count == 0 || round == MaxWriteRounds)
            {
                return movieIds;
            }
            read = again;
        }
    }

    private async Task<Dictionary<int, Standing>> LoadByIdAsync(IReadOnlyCollection<int> movieIds, CancellationToken cancellationToken) =>
        (await LoadAsync(movieIds, cancellationToken)).ToDictionary(s => s.MovieId);

    /// <summary>
    /// Builds every ranking afresh from catalogdb and swaps it in, then sets the marker. Returns
    /// the films whose standing kept changing meanwhile (see <see cref="RefreshAsync"/>).
    /// </summary>
    public async Task<IReadOnlyCollection<int>> RebuildAsync(CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken);
        try
        {
            return await RebuildLockedAsync(cancellationToken);
        }
        finally
        {
            _writes.Release();
        }
    }

    private async Task<IReadOnlyCollection<int>> RebuildLockedAsync(CancellationToken cancellationToken)
    {
        await PruneActivityAsync(cancellationToken);
        var standings = await LoadAsync(null, cancellationToken);
        var database = redis.GetDatabase();
        var building = new Dictionary<string, bool>();
        foreach (var kind in Kinds)
        {
            var temporary = BuildingKey(kind);
            await database.KeyDeleteAsync(temporary);
            var entries = standings
                .Select(s => (s.MovieId, Score: s.Score(kind, options.Value)))
                .Where(s => s.Score is not null)
                .Select(s => new SortedSetEntry(Member(s.MovieId), s.Score!.Value))
                .ToArray();
            foreach (var chunk in entries.Chunk(1000))
            {
                await database.SortedSetAddAsync(temporary, chunk);
            }
            building[kind] = entries.Length > 0;
        }

        // All or nothing: if Redis lost the new sets meanwhile (a restart), nothing is swapped and no
        // marker is set, so the next check rebuilds again.
        var swap = database.CreateTransaction();
        var steps = new List<Task>();
        foreach (var (kind, any) in building)
        {
            if (any)
            {
                swap.AddCondition(Condition.KeyExists(BuildingKey(kind)));
            }
            steps.Add(any ? swap.KeyRenameAsync(BuildingKey(kind), Key(kind)) : swap.KeyDeleteAsync(Key(kind)));
        }
        steps.Add(swap.StringSetAsync(Marker, clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)));
        if (!await swap.ExecuteAsync())
        {
            throw new RankingsLostException();
        }
        await Task.WhenAll(steps);

        // The swap replaced whatever another replica wrote since the standings were read: the
        // films that changed meanwhile are written again, as a refresh would.
        var built = standings.ToDictionary(s => s.MovieId);
        var now = (await LoadAsync(null, cancellationToken)).ToDictionary(s => s.MovieId);
        int[] changed = [.. now.Keys.Union(built.Keys).Where(id => now.GetValueOrDefault(id) != built.GetValueOrDefault(id))];
        return changed.Length == 0 ? [] : await PutAsync(database, changed, now, cancellationToken);
    }

    internal sealed record Standing(int MovieId, double AverageRating, int RatingCount, int WishCount, long Activity)
    {
        public double? Score(string kind, RankingsOptions options) => kind switch
        {
            "top-rated" when RatingCount >= options.TopRatedMinimumRatings => AverageRating,
            "most-wished" when WishCount > 0 => WishCount,
            "trending" when Activity > 0 => Activity,
            _ => null,
        };
    }

    /// <summary>Films with a place in some ranking (all of them, or only those asked for).</summary>
    private async Task<List<Standing>> LoadAsync(IReadOnlyCollection<int>? movieIds, CancellationToken cancellationToken)
    {
        await using var connection = await catalogDb.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT m.id, m.average_rating, m.rating_count, m.wish_count, coalesce(a.activity, 0)
            FROM movies m
            LEFT JOIN (SELECT movie_id, sum(count) AS activity FROM movie_activity WHERE day >= $1 GROUP BY movie_id) a ON a.movie_id = m.id
            WHERE ($2::int[] IS NULL OR m.id = ANY($2)) AND (m.rating_count >= $3 OR m.wish_count > 0 OR a.activity > 0)
            """, connection)
        {
            Parameters =
            {
                new() { Value = TrendingSince() },
                new() { Value = movieIds is null ? DBNull.Value : movieIds.ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Integer },
                new() { Value = options.Value.TopRatedMinimumRatings },
            },
        };
        var standings = new List<Standing>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            standings.Add(new Standing(reader.GetInt32(0), reader.GetDouble(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt64(4)));
        }
        return standings;
    }

    /// <summary>Activity is kept for a month beyond the trending window, then deleted.</summary>
    private async Task PruneActivityAsync(CancellationToken cancellationToken)
    {
        await using var connection = await catalogDb.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("DELETE FROM movie_activity WHERE day < $1", connection)
        {
            Parameters = { new() { Value = TrendingSince().AddDays(-30) } },
        };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The first day trending counts: today and the <see cref="RankingsOptions.TrendingDays"/> − 1 before it.</summary>
    internal DateOnly TrendingSince() =>
        clock.Today().AddDays(1 - options.Value.TrendingDays);

    public void Dispose() => _writes.Dispose();

    private static string Key(string kind) => Prefix + kind;

    private static string BuildingKey(string kind) => Key(kind) + ":building";

    /// <summary>Every key the rebuild's swap touches: one transaction, so one hash slot (docs/scaling.md, "Redis Cluster").</summary>
    internal static IEnumerable<string> SwapKeys() =>
        [.. Kinds.SelectMany(kind => new[] { Key(kind), BuildingKey(kind) }), Marker];

    private static string Member(int movieId) => movieId.ToString("D10", CultureInfo.InvariantCulture);
}

internal sealed class RankingsLostException() : Exception("The rebuilt rankings vanished before they were swapped in (Redis restarted?).");
