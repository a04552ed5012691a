using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Matcha.Catalog.People;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Catalog.Search;

/// <summary>
/// Search over every title (all languages, the original included) and the names of directors and
/// main cast, and separately over people. A film matches when the normalised query is a
/// substring of its search text (so the Korean fragment 기생 finds 기생충: Hangul has no
/// stemming, and substring is what a person expects) or is close to one of its words by
/// trigrams (a typo in Latin script). Ranking: an exact title, then a title that starts with
/// the query, then the closest words, then popularity.
/// </summary>
internal static class CatalogSearch
{
    /// <summary>
    /// pg_trgm word similarity at or above which a word counts as a typo of the query; set on
    /// every connection (see Extensions) so that the <c>&lt;%</c> operator can use the trigram index.
    /// </summary>
    public const string TypoThresholdSetting = "-c pg_trgm.word_similarity_threshold=0.45";

    public static async Task<List<Movie>> MoviesAsync(CatalogDbContext db, string query, int limit, CancellationToken ct)
    {
        var q = SearchText.Normalize(query);
        if (q.Length == 0)
        {
            return [];
        }

        var pattern = $"%{EscapeLike(q)}%";
        var prefix = $"{EscapeLike(q)}%";
        var ids = await db.Database.SqlQuery<int>($"""
            SELECT m.id AS "Value"
            FROM movies m
            WHERE m.search_text LIKE {pattern} OR {q} <% m.search_text
            ORDER BY ({q} = ANY (m.title_keys)) DESC,
                     EXISTS (SELECT 1 FROM unnest(m.title_keys) t WHERE t LIKE {prefix}) DESC,
                     (m.search_text LIKE {pattern}) DESC,
                     word_similarity({q}, m.search_text) DESC,
                     m.popularity DESC,
                     m.id
            LIMIT {limit}
            """).ToListAsync(ct);

        var movies = await db.Movies.AsNoTracking().Include(m => m.Titles).Where(m => ids.Contains(m.Id)).ToDictionaryAsync(m => m.Id, ct);
        return [.. ids.Where(movies.ContainsKey).Select(id => movies[id])];
    }

    public static async Task<List<Person>> PeopleAsync(CatalogDbContext db, string query, int limit, CancellationToken ct)
    {
        var q = SearchText.Normalize(query);
        if (q.Length == 0)
        {
            return [];
        }

        var pattern = $"%{EscapeLike(q)}%";
        var ids = await db.Database.SqlQuery<int>($"""
            SELECT p.id AS "Value"
            FROM people p
            WHERE p.search_text LIKE {pattern} OR {q} <% p.search_text
            ORDER BY (p.search_text LIKE {pattern}) DESC, word_similarity({q}, p.search_text) DESC, p.id
            LIMIT {limit}
            """).ToListAsync(ct);

        var people = await db.People.AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        return [.. ids.Where(people.ContainsKey).Select(id => people[id])];
    }

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
