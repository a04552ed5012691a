using Matcha.Data;
using Npgsql;

namespace Matcha.Catalog.Statistics;

/// <summary>
/// A batch's effect on one film's counters. <see cref="ToCommand"/> writes the whole batch's films
/// in one UPDATE that also recomputes each film's average and popularity from its new counters.
/// No index of the film's row holds a statistic (the sort orders are indexed in
/// <c>movie_sort_keys</c>, which a statement trigger keeps in step), so most of these UPDATEs are
/// HOT: 92 % of 89,038 in a load run. A rating change used to update the row three times (take
/// the old score out, put the new one in, recompute), then once per film in its own statement
/// (docs/performance.md).
/// </summary>
internal sealed class StatisticsChange
{
    private readonly int[] _histogram = new int[10];

    public int Ratings { get; private set; }

    public int Wishes { get; set; }

    public int Comments { get; set; }

    public bool IsEmpty => Wishes == 0 && Comments == 0 && _histogram.All(bucket => bucket == 0);

    public void Rate(decimal score, int delta)
    {
        _histogram[MovieStatisticsApplier.Bucket(score) - 1] += delta;
        Ratings += delta;
    }

    /// <summary>
    /// One UPDATE for every film whose counters changed, or null when the changes cancel out.
    /// The films are locked in id order (<c>ORDER BY id FOR UPDATE</c> in the inner read), so two
    /// replicas' batches lock alike, and a concurrent change of a film is waited for and read, so
    /// the counters add to the newest values. Each film's ten bucket deltas are its slice of one
    /// flat array.
    /// </summary>
    public static NpgsqlBatchCommand? ToCommand(IEnumerable<KeyValuePair<int, StatisticsChange>> changes)
    {
        var changed = changes.Where(c => !c.Value.IsEmpty).OrderBy(c => c.Key).ToList();
        if (changed.Count == 0)
        {
            return null;
        }
        return Statements.Command("""
            UPDATE movies AS m SET
                rating_count = s.rating_count, histogram = s.histogram, wish_count = s.wish_count, comment_count = s.comment_count,
                average_rating = CASE WHEN s.rating_count = 0 THEN 0
                    ELSE (SELECT sum(n * i * 0.5) FROM unnest(s.histogram) WITH ORDINALITY AS b(n, i)) / s.rating_count END,
                popularity = s.rating_count + 2 * s.wish_count + s.comment_count
            FROM (SELECT f.id, f.rating_count + c.ratings AS rating_count,
                         ARRAY(SELECT h + d FROM unnest(f.histogram, $5[c.n * 10 - 9 : c.n * 10]) WITH ORDINALITY AS x(h, d, i) ORDER BY i) AS histogram,
                         f.wish_count + c.wishes AS wish_count, f.comment_count + c.comments AS comment_count
                  FROM (SELECT id, rating_count, histogram, wish_count, comment_count FROM movies
                        WHERE id = ANY($1) ORDER BY id FOR UPDATE) AS f
                  JOIN unnest($1, $2, $3, $4) WITH ORDINALITY AS c(id, ratings, wishes, comments, n) ON c.id = f.id) AS s
            WHERE m.id = s.id
            """,
            changed.Select(c => c.Key).ToArray(),
            changed.Select(c => c.Value.Ratings).ToArray(),
            changed.Select(c => c.Value.Wishes).ToArray(),
            changed.Select(c => c.Value.Comments).ToArray(),
            changed.SelectMany(c => c.Value._histogram).ToArray());
    }
}
