using Matcha.Catalog.Search;
using Npgsql;
using NpgsqlTypes;

namespace Matcha.Bench;

/// <summary>
/// Generates films and people that look like the real ones to search (Korean and Latin titles
/// and names, several genres and countries) and bulk-loads them with Postgres COPY.
/// Deterministic: the same seed gives the same data.
/// </summary>
internal static class CatalogDataGenerator
{
    private static readonly string[] Words = ["night", "river", "city", "silent", "memory", "garden", "winter", "ghost", "dream", "road",
        "secret", "house", "blue", "last", "summer", "fire", "stone", "moon", "train", "island", "heart", "shadow", "mountain", "sea"];
    private static readonly string[] Syllables = ["기", "생", "충", "살", "인", "의", "추", "억", "바", "다", "하", "늘", "별", "밤", "사", "랑",
        "도", "시", "꽃", "길", "강", "산", "빛", "봄"];
    private static readonly string[] FamilyNames = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"];
    private static readonly string[] FirstNames = ["Anna", "James", "Mina", "Jun", "Sofia", "Leo", "Yuna", "Daniel", "Hana", "Marco"];
    private static readonly string[] LastNames = ["Kim", "Park", "Smith", "Rossi", "Garcia", "Lee", "Martin", "Choi", "Brown", "Jung"];
    private static readonly string[] GenreIds = ["drama", "comedy", "thriller", "romance", "action", "crime", "horror", "animation", "science-fiction"];
    private static readonly string[] CountryCodes = ["KR", "US", "FR", "JP", "GB", "DE", "IT", "ES"];

    public static async Task LoadAsync(string connectionString, int films, int people, Action<string> progress)
    {
        var random = new Random(20261126);
        // A bulk load on a busy machine can outlast the default 30 s command timeout.
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 600 }.ConnectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        var firstMovie = await NextIdAsync(connection, "movies");
        var firstPerson = await NextIdAsync(connection, "people");

        var names = new (string Ko, string En)[people];
        await using (var writer = await connection.BeginBinaryImportAsync("COPY people (id, key, search_text) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < people; i++)
            {
                names[i] = (Pick(random, FamilyNames) + Pick(random, Syllables) + Pick(random, Syllables),
                    $"{Pick(random, FirstNames)} {Pick(random, LastNames)} {i}");
                await writer.WriteRowAsync(default, firstPerson + i, null, SearchText.Join([names[i].Ko, names[i].En]));
            }
            await writer.CompleteAsync();
        }
        await using (var writer = await connection.BeginBinaryImportAsync("COPY person_names (person_id, language, name) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < people; i++)
            {
                await writer.WriteRowAsync(default, firstPerson + i, "ko", names[i].Ko);
                await writer.WriteRowAsync(default, firstPerson + i, "en", names[i].En);
            }
            await writer.CompleteAsync();
        }
        progress($"{people:N0} people loaded");

        var titles = new (string Ko, string En)[films];
        var credits = new int[films][];
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY movies (id, original_language, original_title, year, release_date, runtime, genres, countries, search_text, title_keys, sort_title, " +
            "average_rating, rating_count, histogram, popularity, version) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < films; i++)
            {
                titles[i] = (string.Concat(Enumerable.Range(0, random.Next(2, 5)).Select(_ => Pick(random, Syllables))),
                    $"The {Pick(random, Words)} {Pick(random, Words)} {i}");
                credits[i] = [.. Enumerable.Range(0, 5).Select(_ => random.Next(people)).Distinct()];
                var year = random.Next(1950, 2026);
                var searchText = SearchText.Join([titles[i].Ko, titles[i].En, .. credits[i].SelectMany(p => new[] { names[p].Ko, names[p].En })]);
                await writer.StartRowAsync();
                await writer.WriteAsync(firstMovie + i, NpgsqlDbType.Integer);
                await writer.WriteAsync("ko", NpgsqlDbType.Varchar);
                await writer.WriteAsync(titles[i].Ko, NpgsqlDbType.Varchar);
                await writer.WriteAsync(year, NpgsqlDbType.Integer);
                await writer.WriteAsync(new DateOnly(year, random.Next(1, 13), random.Next(1, 29)), NpgsqlDbType.Date);
                await writer.WriteAsync(random.Next(80, 180), NpgsqlDbType.Integer);
                await writer.WriteAsync(new List<string> { Pick(random, GenreIds), Pick(random, GenreIds) }.Distinct().ToList(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                await writer.WriteAsync(new List<string> { Pick(random, CountryCodes) }, NpgsqlDbType.Array | NpgsqlDbType.Text);
                await writer.WriteAsync(searchText, NpgsqlDbType.Text);
                await writer.WriteAsync(new List<string> { SearchText.Normalize(titles[i].Ko), SearchText.Normalize(titles[i].En) }, NpgsqlDbType.Array | NpgsqlDbType.Text);
                await writer.WriteAsync(SearchText.Normalize(titles[i].En), NpgsqlDbType.Text);
                await writer.WriteAsync(Math.Round(random.NextDouble() * 4.5 + 0.5, 2), NpgsqlDbType.Double);
                await writer.WriteAsync(random.Next(0, 5000), NpgsqlDbType.Integer);
                await writer.WriteAsync(new int[10], NpgsqlDbType.Array | NpgsqlDbType.Integer);
                await writer.WriteAsync(random.NextDouble() * 1000, NpgsqlDbType.Double);
                await writer.WriteAsync(1, NpgsqlDbType.Integer);
                if ((i + 1) % 20_000 == 0)
                {
                    progress($"{i + 1:N0} films written");
                }
            }
            await writer.CompleteAsync();
        }
        await using (var writer = await connection.BeginBinaryImportAsync("COPY movie_titles (movie_id, language, title) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < films; i++)
            {
                await writer.WriteRowAsync(default, firstMovie + i, "ko", titles[i].Ko);
                await writer.WriteRowAsync(default, firstMovie + i, "en", titles[i].En);
            }
            await writer.CompleteAsync();
        }
        await using (var writer = await connection.BeginBinaryImportAsync("COPY credits (movie_id, person_id, role, \"order\") FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < films; i++)
            {
                for (var c = 0; c < credits[i].Length; c++)
                {
                    await writer.WriteRowAsync(default, firstMovie + i, firstPerson + credits[i][c], c == 0 ? "Director" : "Cast", c == 0 ? (int?)null : c);
                }
            }
            await writer.CompleteAsync();
        }
        progress($"{films:N0} films with titles and credits loaded");

        await using (var analyze = new NpgsqlCommand(
            "SELECT setval(pg_get_serial_sequence('movies', 'id'), (SELECT max(id) FROM movies)); " +
            "SELECT setval(pg_get_serial_sequence('people', 'id'), (SELECT max(id) FROM people))", connection))
        {
            await analyze.ExecuteNonQueryAsync();
        }
        // VACUUM as well as ANALYZE, as after any bulk load: freshly copied pages have no hint bits or visibility map
        // yet, and without it autovacuum works through 400,000 rows and their GIN indexes during the first measured pass.
        await using (var vacuum = new NpgsqlCommand("VACUUM (ANALYZE)", connection) { CommandTimeout = 600 })
        {
            await vacuum.ExecuteNonQueryAsync();
        }
        progress("vacuumed and analysed");
    }

    /// <summary>Search texts shaped like those <see cref="LoadAsync"/> writes, in memory (for the search index alone).</summary>
    public static (List<FilmEntry> Films, List<PersonEntry> People) SearchEntries(int films, int people)
    {
        var random = new Random(20261126);
        var names = Enumerable.Range(0, people)
            .Select(i => (Ko: Pick(random, FamilyNames) + Pick(random, Syllables) + Pick(random, Syllables), En: $"{Pick(random, FirstNames)} {Pick(random, LastNames)} {i}"))
            .ToArray();
        var filmEntries = Enumerable.Range(0, films).Select(i =>
        {
            var ko = string.Concat(Enumerable.Range(0, random.Next(2, 5)).Select(_ => Pick(random, Syllables)));
            var en = $"The {Pick(random, Words)} {Pick(random, Words)} {i}";
            int[] credits = [.. Enumerable.Range(0, 5).Select(_ => random.Next(people)).Distinct()];
            var text = SearchText.Join([ko, en, .. credits.SelectMany(p => new[] { names[p].Ko, names[p].En })]);
            return new FilmEntry(i + 1, text, [SearchText.Normalize(ko), SearchText.Normalize(en)],
                new SearchPrior(random.NextDouble() * 1000, random.Next(0, 5000), random.Next(1950, 2026), i + 1));
        }).ToList();
        return (filmEntries, [.. names.Select((n, i) => new PersonEntry(i + 1, SearchText.Join([n.Ko, n.En])))]);
    }

    /// <summary>Real-looking queries of one kind: a Korean fragment, two English words, a name, or a word with a typo.</summary>
    public static IReadOnlyList<string> Queries(string kind, int count, int seed = 7)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => kind switch
        {
            "korean fragment" => Pick(random, Syllables) + Pick(random, Syllables),
            "english words" => $"{Pick(random, Words)} {Pick(random, Words)}",
            "person's name" => Pick(random, LastNames),
            _ => Typo(Pick(random, Words), random),
        })];
    }

    public static readonly string[] QueryKinds = ["korean fragment", "english words", "person's name", "typo"];

    private static string Typo(string word, Random random)
    {
        var chars = word.ToCharArray();
        chars[random.Next(chars.Length)] = 'x';
        return new string(chars);
    }

    private static async Task<int> NextIdAsync(NpgsqlConnection connection, string table)
    {
        await using var command = new NpgsqlCommand($"SELECT coalesce(max(id), 0) + 1000 FROM {table}", connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];
}
