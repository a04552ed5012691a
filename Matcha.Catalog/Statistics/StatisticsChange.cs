using Npgsql;

namespace Matcha.Catalog.Statistics;

/// <summary>
/// A batch's effect on a film's counters, written as one UPDATE that also recomputes the
/// average and popularity from the new counters. The film's row has fourteen indexes (search,
/// genres, sort orders) and its indexed columns change, so every UPDATE of it writes a new entry
/// in each: a rating change used to update it three times (take the old score out, put the new
/// one in, recompute), which made it the backbone's largest cost at load (docs/performance.md).
/// </summary>
internal sealed class StatisticsChange
{
    private readonly int[] _histogram = new int[10];

    public int Ratings { get; private set; }

    public int Wishes { get; set; }

    public int Comments { get; set; }

    public void Rate(decimal score, int delta)
    {
        _histogram[MovieStatisticsApplier.Bucket(score) - 1] += delta;
        Ratings += delta;
    }

    /// <summary>The film's UPDATE, or null when the changes cancel out.</summary>
    public NpgsqlBatchCommand? ToCommand(int movieId)
    {
        if (Wishes == 0 && Comments == 0 && _histogram.All(bucket => bucket == 0))
        {
            return null;
        }
        // FOR UPDATE in the inner read: a concurrent change of the film (another replica) is waited
        // for and read, so the counters add to the newest values.
        return new NpgsqlBatchCommand("""
            UPDATE movies AS m SET
                rating_count = s.rating_count, histogram = s.histogram, wish_count = s.wish_count, comment_count = s.comment_count,
                average_rating = CASE WHEN s.rating_count = 0 THEN 0
                    ELSE (SELECT sum(n * i * 0.5) FROM unnest(s.histogram) WITH ORDINALITY AS b(n, i)) / s.rating_count END,
                popularity = s.rating_count + 2 * s.wish_count + s.comment_count
            FROM (SELECT id, rating_count + $1 AS rating_count,
                         ARRAY(SELECT h + d FROM unnest(histogram, $2) WITH ORDINALITY AS x(h, d, i) ORDER BY i) AS histogram,
                         wish_count + $3 AS wish_count, comment_count + $4 AS comment_count
                  FROM movies WHERE id = $5 FOR UPDATE) AS s
            WHERE m.id = s.id
            """)
        {
            Parameters =
            {
                new() { Value = Ratings },
                new() { Value = _histogram },
                new() { Value = Wishes },
                new() { Value = Comments },
                new() { Value = movieId },
            },
        };
    }
}
