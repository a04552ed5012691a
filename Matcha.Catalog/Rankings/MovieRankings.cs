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

    /// <summary>Puts the current standing of these films into every ranking (or rebuilds all, when Redis lost them).</summary>
    public async Task RefreshAsync(IReadOnlyCollection<int> movieIds, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken);
        try
        {
            var database = redis.GetDatabase();
            if (!await database.KeyExistsAsync(Marker))
            {
                await RebuildLockedAsync(cancellationToken);
                return;
            }
            if (movieIds.Count == 0)
            {
                return;
            }
            var standings = (await LoadAsync(movieIds, cancellationToken)).ToDictionary(s => s.MovieId);
            var batch = database.CreateBatch();
            var writes = new List<Task>();
            foreach (var movieId in movieIds)
            {
                standings.TryGetValue(movieId, out var standing);
                foreach (var kind in Kinds)
                {
                    writes.Add(standing?.Score(kind, options.Value) is { } score
                        ? batch.SortedSetAddAsync(Key(kind), Member(movieId), score)
                        : batch.SortedSetRemoveAsync(Key(kind), Member(movieId)));
                }
            }
            batch.Execute();
            await Task.WhenAll(writes);
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>Builds every ranking afresh from catalogdb and swaps it in, then sets the marker.</summary>
    public async Task RebuildAsync(CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken);
        try
        {
            await RebuildLockedAsync(cancellationToken);
        }
        finally
        {
            _writes.Release();
        }
    }

    private async Task RebuildLockedAsync(CancellationToken cancellationToken)
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
