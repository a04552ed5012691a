using System.Data.Common;
using Matcha.Catalog.Movies;
using Matcha.Catalog.People;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Catalog.Data;

/// <summary>
/// Film and person cards by id, in the order asked: the read behind search, the batch card endpoints (REST and gRPC),
/// the shelves and the rankings. Cards read in the last few seconds come from memory (<see cref="CardCache"/>); the rest
/// are one statement on the context's own connection (so a read on the standby stays there), the titles or names
/// aggregated into arrays per row, read column by column, prepared.
/// </summary>
/// <remarks>
/// Not an EF query, and why: a no-tracking EF Core 10 query that loads an owned collection (<c>Titles</c>,
/// <c>Names</c>) built a delegate with <c>DynamicMethod.CreateDelegate</c> inside its shaper on every execution. Profiled in
/// Catalog under the catalog benchmark's searches, that delegate and the finalizers and GC pauses it left behind took
/// over a third of Catalog's CPU (docs/performance.md, "Search end to end: where the time went"). Cards are the hottest read of all,
/// so they read the columns a card shows and nothing else (no search text, synopsis or title keys).
/// </remarks>
internal static class CardReads
{
    private const string FilmColumns = """
        SELECT m.id, m.original_title, m.year, m.release_date, m.genres, m.countries, m.poster_url,
               m.average_rating, m.rating_count, m.histogram, m.wish_count, m.comment_count, m.popularity, m.prior_votes,
               coalesce(t.languages, '{}'), coalesce(t.titles, '{}')
        FROM movies m
        LEFT JOIN LATERAL (
            SELECT array_agg(language ORDER BY id) AS languages, array_agg(title ORDER BY id) AS titles
            FROM movie_titles WHERE movie_id = m.id) t ON true
        WHERE m.id = ANY(@ids)
        """;

    private const string PersonColumns = """
        SELECT p.id, coalesce(n.languages, '{}'), coalesce(n.names, '{}')
        FROM people p
        LEFT JOIN LATERAL (
            SELECT array_agg(language ORDER BY id) AS languages, array_agg(name ORDER BY id) AS names
            FROM person_names WHERE person_id = p.id) n ON true
        WHERE p.id = ANY(@ids)
        """;

    /// <summary>The cards of the films asked that exist, in the order asked.</summary>
    public static async Task<List<MovieSummary>> MoviesAsync(CatalogDbContext db, CardCache? cards, IReadOnlyCollection<int> ids, DateOnly today, CancellationToken ct) =>
        (await MoviesAndPeopleAsync(db, cards, ids, [], today, ct)).Movies;

    /// <summary>The cards of the people asked who exist, in the order asked.</summary>
    public static async Task<List<PersonSummary>> PeopleAsync(CatalogDbContext db, CardCache? cards, IReadOnlyCollection<int> ids, CancellationToken ct) =>
        (await MoviesAndPeopleAsync(db, cards, [], ids, default, ct)).People;

    /// <summary>
    /// Both at once: those <paramref name="cards"/> holds from memory, the rest in one round trip (a search of films and
    /// people). A fill of a longer-lived cache (the shelves) passes no <paramref name="cards"/>, so that its copy is no
    /// older than its own read.
    /// </summary>
    public static async Task<(List<MovieSummary> Movies, List<PersonSummary> People)> MoviesAndPeopleAsync(
        CatalogDbContext db, CardCache? cards, IReadOnlyCollection<int> movieIds, IReadOnlyCollection<int> personIds, DateOnly today, CancellationToken ct)
    {
        var movies = new Dictionary<int, MovieSummary>(movieIds.Count);
        var people = new Dictionary<int, PersonSummary>(personIds.Count);
        var filmsToRead = new List<int>();
        var peopleToRead = new List<int>();
        foreach (var id in movieIds)
        {
            if (cards is not null && cards.TryGetFilm(id, today, out var film))
            {
                movies[id] = film;
            }
            else
            {
                filmsToRead.Add(id);
            }
        }
        foreach (var id in personIds)
        {
            if (cards is not null && cards.TryGetPerson(id, out var person))
            {
                people[id] = person;
            }
            else
            {
                peopleToRead.Add(id);
            }
        }
        if (filmsToRead.Count + peopleToRead.Count > 0)
        {
            if (cards is null)
            {
                await ReadIntoAsync(db, null, filmsToRead, peopleToRead, movies, people, today, ct);
            }
            else
            {
                // What another request is reading now is waited for, not read again (CardClaim).
                using var filmClaim = cards.ClaimFilms(filmsToRead, today);
                using var personClaim = cards.ClaimPeople(peopleToRead);
                if (filmClaim.Mine.Count + personClaim.Mine.Count > 0)
                {
                    await ReadIntoAsync(db, cards, filmClaim.Mine, personClaim.Mine, movies, people, today, ct);
                    filmClaim.Complete(movies);
                    personClaim.Complete(people);
                }
                var filmsLeft = await filmClaim.JoinAsync(movies, ct);
                var peopleLeft = await personClaim.JoinAsync(people, ct);
                if (filmsLeft.Count + peopleLeft.Count > 0)
                {
                    await ReadIntoAsync(db, cards, filmsLeft, peopleLeft, movies, people, today, ct);
                }
            }
        }
        return ([.. movieIds.Where(movies.ContainsKey).Select(id => movies[id])], [.. personIds.Where(people.ContainsKey).Select(id => people[id])]);
    }

    /// <summary>Reads the cards from Postgres into <paramref name="movies"/> and <paramref name="people"/>, and keeps them in <paramref name="cards"/>.</summary>
    private static async Task ReadIntoAsync(
        CatalogDbContext db, CardCache? cards, IReadOnlyList<int> movieIds, IReadOnlyList<int> personIds,
        Dictionary<int, MovieSummary> movies, Dictionary<int, PersonSummary> people, DateOnly today, CancellationToken ct)
    {
        var readAt = cards?.Now() ?? 0;
        var (films, persons) = await ReadAsync(db, movieIds, personIds, today, ct);
        films.ForEach(f => movies[f.Id] = f);
        persons.ForEach(p => people[p.Id] = p);
        cards?.KeepFilms(films, today, readAt);
        cards?.KeepPeople(persons, readAt);
    }

    private static async Task<(List<MovieSummary> Movies, List<PersonSummary> People)> ReadAsync(
        CatalogDbContext db, IReadOnlyList<int> movieIds, IReadOnlyList<int> personIds, DateOnly today, CancellationToken ct)
    {
        var movies = new List<MovieSummary>(movieIds.Count);
        var people = new List<PersonSummary>(personIds.Count);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var batch = connection.CreateBatch();
            if (movieIds.Count > 0)
            {
                batch.BatchCommands.Add(Command(batch, FilmColumns, movieIds));
            }
            if (personIds.Count > 0)
            {
                batch.BatchCommands.Add(Command(batch, PersonColumns, personIds));
            }
            // Prepared once per physical connection (Npgsql keeps them across the pool): no parse and plan per read.
            await batch.PrepareAsync(ct);
            await using var reader = await batch.ExecuteReaderAsync(ct);
            if (movieIds.Count > 0)
            {
                while (await reader.ReadAsync(ct))
                {
                    movies.Add(ReadFilm(reader, today));
                }
                await reader.NextResultAsync(ct);
            }
            if (personIds.Count > 0)
            {
                while (await reader.ReadAsync(ct))
                {
                    people.Add(new PersonSummary(reader.GetInt32(0), Pairs(reader.GetFieldValue<string[]>(1), reader.GetFieldValue<string[]>(2))));
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        return (movies, people);
    }

    private static DbBatchCommand Command(DbBatch batch, string sql, IReadOnlyCollection<int> ids)
    {
        var command = batch.CreateBatchCommand();
        command.CommandText = sql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "ids";
        parameter.Value = ids as int[] ?? [.. ids];
        command.Parameters.Add(parameter);
        return command;
    }

    private static MovieSummary ReadFilm(DbDataReader reader, DateOnly today)
    {
        var year = reader.GetInt32(2);
        DateOnly? releaseDate = reader.IsDBNull(3) ? null : reader.GetFieldValue<DateOnly>(3);
        return new MovieSummary(
            reader.GetInt32(0),
            Pairs(reader.GetFieldValue<string[]>(14), reader.GetFieldValue<string[]>(15)),
            reader.GetString(1),
            year > 0 ? year : null,
            releaseDate,
            Movie.IsReleased(releaseDate, year, today),
            reader.GetFieldValue<string[]>(4),
            reader.GetFieldValue<string[]>(5),
            reader.IsDBNull(6) ? null : reader.GetString(6),
            MovieViews.Stats(reader.GetDouble(7), reader.GetInt32(8), reader.GetFieldValue<int[]>(9), reader.GetInt32(10), reader.GetInt32(11)),
            reader.GetDouble(12))
        { PriorVotes = reader.GetInt32(13) };
    }

    private static Dictionary<string, string> Pairs(string[] languages, string[] texts)
    {
        var pairs = new Dictionary<string, string>(languages.Length);
        for (var i = 0; i < languages.Length; i++)
        {
            pairs[languages[i]] = texts[i];
        }
        return pairs;
    }
}
