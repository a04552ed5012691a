using System.ComponentModel;
using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Npgsql;

namespace Matcha.Catalog.Shelves;

/// <summary>A row of the home screen that needs no ratings: its id, its heading in each language, and its films.</summary>
public sealed record Shelf(string Id, IReadOnlyDictionary<string, string> Names, IReadOnlyList<MovieSummary> Items);

/// <summary>The home's shelves. Immutable, so HybridCache hands out the cached instance instead of deserializing a copy per hit.</summary>
[ImmutableObject(true)]
public sealed record ShelfSet(IReadOnlyList<Shelf> Shelves);

/// <summary>
/// The rows a first visit sees before anyone has rated anything: new releases, Korean films and a
/// few genres, each ordered by the catalogue's popularity prior,
/// <c>popularity + prior_votes DESC, rating_count DESC, year DESC, id</c> (docs/catalog.md): the
/// ratings, wishes and comments here plus the ratings the film has elsewhere (MovieLens), so the
/// rows fill from the catalogue alone with well-known films and follow the ratings once they come. New releases: the prior's best among
/// the most recently released films (by year, then release date), bounded, so a catalogue whose
/// newest film is years old still has the row.
/// </summary>
internal static class ShelfReader
{
    /// <summary>The genres that get a row, in the order shown.</summary>
    public static readonly string[] Genres = ["drama", "comedy", "action", "animation"];

    /// <summary>New releases are the prior's best among this many most recently released films per film shown.</summary>
    private const int RecentPerShown = 4;

    private const string Prior = "popularity + prior_votes DESC, rating_count DESC, year DESC, id";

    /// <summary>The same rule as <c>Movie.IsReleased</c>, in SQL: only films one can rate.</summary>
    private static string Released(string movies) =>
        $"(CASE WHEN {movies}.release_date IS NOT NULL THEN {movies}.release_date <= $2 ELSE {movies}.year > 0 AND {movies}.year < $3 END)";

    /// <summary>
    /// One row's films: the films in the prior's order, walked down <c>ix_movie_sort_keys_prior</c>
    /// (migration ShelfIndexes) until <c>$1</c> match, so a row reads a few dozen films, not a
    /// sort of every film of its genre (45,000 buffers at 100,000 films). Keep the ORDER BY as it is.
    /// </summary>
    private static string Row(string match) => $"""
        ARRAY(SELECT k.movie_id FROM movie_sort_keys k JOIN movies m ON m.id = k.movie_id
              WHERE {Released("m")} AND {match}
              ORDER BY k.popularity + k.prior_votes DESC, k.rating_count DESC, k.year DESC, k.movie_id LIMIT $1)
        """;

    /// <summary>
    /// The genre rows, each with its genre written in: with a literal, Postgres knows from its
    /// statistics that a genre holds about a fifth of the films and walks the index; with a value
    /// from a parameter or <c>unnest</c> it guesses half a percent and sorts the whole genre instead.
    /// The genres are the constants above, never input.
    /// </summary>
    private static readonly string GenreRows = string.Concat(Genres.Select((genre, i) => $"""

        UNION ALL
        SELECT {i + 2}, 'genre-{genre}', {Row($"genres @> ARRAY['{genre}']")}
        """));

    /// <summary>
    /// Every row's film ids, in order, in one statement (one array per row), then the films' cards
    /// in one query: a cold read is three round trips, not one per row.
    /// </summary>
    public static async Task<ShelfSet> ReadAsync(CatalogDbContext db, NpgsqlDataSource catalogDb, int limit, DateOnly today, CancellationToken ct)
    {
        var rows = new List<(string Id, int[] Films)>();
        await using (var command = catalogDb.CreateCommand($"""
            SELECT shelf, films FROM (
                -- Read in the order of ix_movies_recent (migration ShelfIndexes): keep the inner ORDER BY as it is.
                SELECT 0 AS n, 'new-releases' AS shelf, ARRAY(
                    SELECT id FROM (SELECT id, popularity, prior_votes, rating_count, year FROM movies WHERE {Released("movies")}
                                    ORDER BY year DESC, (release_date IS NOT NULL) DESC, release_date DESC, id DESC LIMIT $4) recent
                    ORDER BY {Prior} LIMIT $1) AS films
                UNION ALL
                SELECT 1, 'korean', {Row("countries @> ARRAY['KR']")}{GenreRows}
            ) rows
            ORDER BY n
            """))
        {
            command.Parameters.Add(new() { Value = limit });
            command.Parameters.Add(new() { Value = today });
            command.Parameters.Add(new() { Value = today.Year });
            command.Parameters.Add(new() { Value = limit * RecentPerShown });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add((reader.GetString(0), reader.GetFieldValue<int[]>(1)));
            }
        }

        var ids = rows.SelectMany(row => row.Films).Distinct().ToList();
        var films = (await CardReads.MoviesAsync(db, null, ids, today, ct)).ToDictionary(m => m.Id);
        return new ShelfSet([.. rows.Select(row => new Shelf(row.Id, Names(row.Id),
            [.. row.Films.Where(films.ContainsKey).Select(id => films[id])]))]);
    }

    private static Dictionary<string, string> Names(string shelf) => shelf switch
    {
        "new-releases" => new() { ["en"] = "New releases", ["ko"] = "최신 개봉작" },
        "korean" => new() { ["en"] = "Korean films", ["ko"] = "한국 영화" },
        _ => new() { ["en"] = Movies.Genres.All[shelf["genre-".Length..]].En, ["ko"] = Movies.Genres.All[shelf["genre-".Length..]].Ko },
    };
}
