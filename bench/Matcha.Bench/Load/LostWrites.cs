using Npgsql;

namespace Matcha.Bench.Load;

/// <summary>
/// After the run has drained: every acknowledged write that Catalog's statistics do not reflect.
/// Ratings is the source of truth; Catalog's own records of what it counted are compared with it
/// row by row (ratings, comments) and film by film (wishes, which Catalog keeps as a count).
/// </summary>
internal static class LostWrites
{
    public static async Task<LostReport> CountAsync(NpgsqlDataSource ratingsDb, NpgsqlDataSource catalogDb, int[] films)
    {
        var ratings = await SetAsync(ratingsDb,
            "SELECT movie_id || '/' || user_id || '/' || (score * 2)::int FROM ratings WHERE movie_id = ANY($1) AND score IS NOT NULL AND rejected_reason IS NULL", films);
        var counted = await SetAsync(catalogDb, "SELECT movie_id || '/' || user_id || '/' || (score * 2)::int FROM counted_ratings WHERE movie_id = ANY($1)", films);
        var comments = await SetAsync(ratingsDb, "SELECT id::text FROM comments WHERE movie_id = ANY($1)", films);
        var countedComments = await SetAsync(catalogDb, "SELECT comment_id::text FROM counted_comments WHERE movie_id = ANY($1) AND NOT removed", films);
        var wishes = await CountsAsync(ratingsDb, "SELECT movie_id, count(*) FROM wishlist_entries WHERE movie_id = ANY($1) AND state = 'WantToWatch' GROUP BY movie_id", films);
        var wishCounts = await CountsAsync(catalogDb, "SELECT id, wish_count FROM movies WHERE id = ANY($1)", films);
        return new LostReport(
            Ratings: ratings.Except(counted).Count() + counted.Except(ratings).Count(),
            Wishes: films.Sum(f => Math.Abs(wishes.GetValueOrDefault(f) - wishCounts.GetValueOrDefault(f))),
            Comments: comments.Except(countedComments).Count() + countedComments.Except(comments).Count(),
            RatingRows: ratings.Count);
    }

    private static async Task<HashSet<string>> SetAsync(NpgsqlDataSource database, string sql, int[] films)
    {
        await using var command = database.CreateCommand(sql);
        command.Parameters.Add(new() { Value = films });
        await using var reader = await command.ExecuteReaderAsync();
        var set = new HashSet<string>();
        while (await reader.ReadAsync())
        {
            set.Add(reader.GetString(0));
        }
        return set;
    }

    private static async Task<Dictionary<int, long>> CountsAsync(NpgsqlDataSource database, string sql, int[] films)
    {
        await using var command = database.CreateCommand(sql);
        command.Parameters.Add(new() { Value = films });
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new Dictionary<int, long>();
        while (await reader.ReadAsync())
        {
            counts[reader.GetInt32(0)] = Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
        }
        return counts;
    }
}

/// <summary>Writes missing from (or extra in) Catalog's statistics, by kind; <see cref="RatingRows"/> is how many ratings were compared.</summary>
internal sealed record LostReport(int Ratings, long Wishes, int Comments, int RatingRows)
{
    public long Total => Ratings + Wishes + Comments;
}
