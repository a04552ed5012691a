using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Catalog.Search;

/// <summary>
/// Search over every title (all languages, the original included) and the names of directors and
/// main cast, and separately over people. A film matches when the normalised query is a
/// substring of its search text (so the Korean fragment 기생 finds 기생충: Hangul has no
/// stemming, and substring is what a person expects) or, failing enough of those, is close to
/// one of its words by trigrams (a typo in Latin script).
///
/// Ranking: an exact title, then a title that starts with the query, then the other substring
/// matches by popularity, then typo matches by the closeness of the word, then popularity. Equal popularity (every film
/// on a fresh install) falls to the rating count, then the release year, newest first, then the film's MovieLens rating
/// count at import (<c>prior_votes</c>): the seed and the MovieLens importer carry both, so a tie is broken by the film
/// rather than by the order rows were inserted. It runs as up to three small indexed
/// queries rather than one that ranks every candidate, so a common word over 100,000 films
/// costs a popularity sort of its matches, not a similarity score for each.
///
/// When the in-memory <see cref="SearchIndex"/> is ready it ranks instead (the same matches, the
/// same order, no query to Postgres for the ranking); these queries are the fallback while it
/// builds, and what <c>Search:InMemory=false</c> runs. Either way the page is read by id.
/// </summary>
internal static class CatalogSearch
{
    /// <summary>
    /// pg_trgm similarity at or above which a catalogue word counts as a typo of the query (0.3,
    /// pg_trgm's default, written down here); set on every connection (see Extensions) because
    /// the <c>%</c> operator reads it and only an operator can use the trigram index.
    /// </summary>
    public const string TypoThresholdSetting = "-c pg_trgm.similarity_threshold=0.3";

    /// <summary>How many substring matches are ranked (by prefix, then popularity) before the page is cut.</summary>
    private const int Candidates = 200;

    /// <summary>How many of the words closest to a typo are looked up, closest first, until the page is full.</summary>
    private const int TypoWords = 3;

    /// <summary>The cards of the films a search for <paramref name="query"/> shows, best first.</summary>
    public static async Task<List<MovieSummary>> MoviesAsync(CatalogDbContext db, SearchIndexSync index, CardCache cards, string query, int limit, DateOnly today, CancellationToken ct) =>
        await CardReads.MoviesAsync(db, cards, await MovieIdsAsync(db, index, query, limit, ct), today, ct);

    /// <summary>The ids of the films a search for <paramref name="query"/> shows, best first: from the index, or Postgres while it builds.</summary>
    public static async Task<List<int>> MovieIdsAsync(CatalogDbContext db, SearchIndexSync index, string query, int limit, CancellationToken ct)
    {
        var q = SearchText.Normalize(query);
        if (q.Length == 0)
        {
            return [];
        }
        return await index.MoviesAsync(q, limit, ct) ?? await RankMoviesAsync(db, q, limit, ct);
    }

    /// <summary>The ids of the people a search for <paramref name="query"/> shows.</summary>
    public static async Task<List<int>> PersonIdsAsync(CatalogDbContext db, SearchIndexSync index, string query, int limit, CancellationToken ct)
    {
        var q = SearchText.Normalize(query);
        if (q.Length == 0)
        {
            return [];
        }
        return await index.PeopleAsync(q, limit, ct) ?? await RankPeopleAsync(db, q, limit, ct);
    }

    /// <summary>
    /// Films in the search's prior order (popularity, rating count, year, prior votes, then id), by
    /// <see cref="MovieSortKeys"/>, whose index <c>ix_movie_sort_keys_search_prior</c> lets Postgres
    /// walk a common fragment's matches in that order and stop at the page.
    /// </summary>
    private static IQueryable<Movie> InPriorOrder(CatalogDbContext db, IQueryable<Movie> movies) =>
        movies.Join(db.MovieSortKeys, m => m.Id, k => k.MovieId, (m, k) => new { Movie = m, Keys = k })
            .OrderByDescending(x => x.Keys.Popularity).ThenByDescending(x => x.Keys.RatingCount).ThenByDescending(x => x.Keys.Year)
            .ThenByDescending(x => x.Keys.PriorVotes).ThenBy(x => x.Keys.MovieId)
            .Select(x => x.Movie);

    private static async Task<List<int>> RankMoviesAsync(CatalogDbContext db, string q, int limit, CancellationToken ct)
    {
        var exact = await InPriorOrder(db, db.Movies.AsNoTracking().Where(m => m.TitleKeys.Contains(q)))
            .Select(m => m.Id).Take(limit).ToListAsync(ct);

        var pattern = StoredText.ContainsPattern(q);
        var matching = HasHangulPair(q)
            // Every film whose text holds q holds q's Hangul pairs: the pairs' index narrows, LIKE decides.
            ? db.Movies.FromSql($"SELECT * FROM movies WHERE search_bigrams @> matcha_hangul_bigrams({q}) AND search_text LIKE {pattern} ESCAPE '\\'")
            : db.Movies.Where(m => EF.Functions.Like(m.SearchText, pattern, @"\"));
        var substring = await InPriorOrder(db, matching.AsNoTracking())
            .Take(Candidates)
            .Select(m => new { m.Id, m.TitleKeys })
            .ToListAsync(ct);
        var ranked = exact
            .Concat(substring.Where(m => m.TitleKeys.Any(t => t.StartsWith(q, StringComparison.Ordinal))).Select(m => m.Id))
            .Concat(substring.Select(m => m.Id))
            .Distinct()
            .Take(limit)
            .ToList();

        if (ranked.Count < limit && MayBeATypo(q))
        {
            foreach (var word in await TypoWordsAsync(db, q, ct))
            {
                var wordPattern = StoredText.ContainsPattern(word);
                var typos = await InPriorOrder(db, db.Movies.AsNoTracking().Where(m => EF.Functions.Like(m.SearchText, wordPattern, @"\")))
                    .Select(m => m.Id).Take(limit).ToListAsync(ct);
                ranked = [.. ranked.Concat(typos).Distinct().Take(limit)];
                if (ranked.Count == limit)
                {
                    break;
                }
            }
        }

        return ranked;
    }

    private static async Task<List<int>> RankPeopleAsync(CatalogDbContext db, string q, int limit, CancellationToken ct)
    {
        var pattern = StoredText.ContainsPattern(q);
        var matching = HasHangulPair(q)
            ? db.People.FromSql($"SELECT * FROM people WHERE search_bigrams @> matcha_hangul_bigrams({q}) AND search_text LIKE {pattern} ESCAPE '\\'")
            : db.People.Where(p => EF.Functions.Like(p.SearchText, pattern, @"\"));
        var ids = await matching.AsNoTracking()
            .OrderBy(p => p.Id)
            .Select(p => p.Id).Take(limit).ToListAsync(ct);
        if (ids.Count < limit && MayBeATypo(q))
        {
            foreach (var word in await TypoWordsAsync(db, q, ct))
            {
                var wordPattern = StoredText.ContainsPattern(word);
                var typos = await db.People.AsNoTracking()
                    .Where(p => EF.Functions.Like(p.SearchText, wordPattern, @"\"))
                    .OrderBy(p => p.Id)
                    .Select(p => p.Id).Take(limit).ToListAsync(ct);
                ids = [.. ids.Concat(typos).Distinct().Take(limit)];
                if (ids.Count == limit)
                {
                    break;
                }
            }
        }

        return ids;
    }

    /// <summary>
    /// The closest words to a typo, closest first, by pg_trgm similarity of whole words (at least
    /// 0.3, pg_trgm's default: nixht → night is 0.33): from the vocabulary of Latin-script words
    /// (<c>search_words</c>, migration SearchWords) under a trigram GIN index, so the typo is
    /// compared with a few short words, not scored against every film's whole search text
    /// (206 ms for one query at 100,000 films; see docs/catalog.md). Each word's films are then
    /// an ordinary substring match cut at the page by popularity.
    /// </summary>
    private static Task<List<string>> TypoWordsAsync(CatalogDbContext db, string query, CancellationToken ct) =>
        db.Database.SqlQuery<string>($"""
            SELECT word AS "Value" FROM search_words
            WHERE word % {query}
            ORDER BY word <-> {query}, word
            LIMIT {TypoWords}
            """).ToListAsync(ct);

    /// <summary>
    /// Typo matching is for Latin script and words of four letters or more: a shorter query is
    /// close to almost everything, and Hangul fragments are matched as substrings.
    /// </summary>
    internal static bool MayBeATypo(string query) => query.Length >= 4 && query.Any(char.IsAsciiLetter);

    /// <summary>
    /// Whether the query has two Hangul syllables side by side: then the pairs' index
    /// (<c>search_bigrams</c>, migration HangulBigrams) finds its candidates, where pg_trgm cannot
    /// index a query of two characters and would read every row.
    /// </summary>
    private static bool HasHangulPair(string query)
    {
        for (var i = 0; i + 1 < query.Length; i++)
        {
            if (IsHangulSyllable(query[i]) && IsHangulSyllable(query[i + 1]))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsHangulSyllable(char c) => c is >= '\uAC00' and <= '\uD7A3';
}
