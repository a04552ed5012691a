using System.Diagnostics;
using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Matcha.Catalog.People;
using Matcha.Catalog.Search;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Catalog.Seed;

/// <summary>
/// Loads the embedded catalogue on first start, and never twice: the load and its
/// <see cref="CatalogueLoad"/> row commit together, under an advisory lock so that two replicas
/// starting at once do not both load it. Films already present (say, from a MovieLens import)
/// are merged by IMDb id instead of duplicated.
/// </summary>
internal sealed partial class CatalogueSeeder(IServiceScopeFactory scopes, TimeProvider clock, ILogger<CatalogueSeeder> logger) : IHostedService
{
    private const long AdvisoryLockKey = 0x6d61746368610001;   // "matcha" + 1

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var version = CatalogueFile.ReadVersion();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Another replica may be loading the catalogue: wait for it however long that takes
        // (with the default 30 s command timeout a waiting replica failed to start under load).
        var timeout = db.Database.GetCommandTimeout();
        db.Database.SetCommandTimeout(0);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", cancellationToken);
        db.Database.SetCommandTimeout(timeout);
        if (await db.CatalogueLoads.AnyAsync(l => l.Version >= version, cancellationToken))
        {
            return;
        }

        var stopwatch = Stopwatch.StartNew();
        var file = CatalogueFile.Load();
        var people = await LoadPeopleAsync(db, file.People, cancellationToken);
        await LoadMoviesAsync(db, file.Movies, people, cancellationToken);
        db.CatalogueLoads.Add(new CatalogueLoad
        {
            Version = file.Version,
            LoadedAt = clock.GetUtcNow(),
            Movies = file.Movies.Count,
            People = file.People.Count,
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogLoaded(file.Version, file.Movies.Count, file.People.Count, stopwatch.ElapsedMilliseconds);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task<Dictionary<string, Person>> LoadPeopleAsync(CatalogDbContext db, List<SeedPerson> seed, CancellationToken ct)
    {
        var keys = seed.Select(p => p.Id).ToList();
        var people = await db.People.Where(p => p.Key != null && keys.Contains(p.Key)).ToDictionaryAsync(p => p.Key!, ct);
        foreach (var entry in seed.Where(p => !people.ContainsKey(p.Id)))
        {
            var person = new Person
            {
                Key = entry.Id,
                Names = [.. entry.Names.Select(n => new PersonName { Language = n.Key, Name = n.Value })],
            };
            person.SearchText = SearchText.Join(person.Names.Select(n => n.Name));
            db.People.Add(person);
            people[entry.Id] = person;
        }
        return people;
    }

    private static async Task LoadMoviesAsync(CatalogDbContext db, List<SeedMovie> seed, Dictionary<string, Person> people, CancellationToken ct)
    {
        var imdbIds = seed.Where(m => m.ImdbId is not null).Select(m => m.ImdbId!).ToList();
        var keys = seed.Select(m => m.Key).ToList();
        var existing = await db.Movies
            .Include(m => m.Credits)
            .Where(m => (m.ImdbId != null && imdbIds.Contains(m.ImdbId)) || (m.Key != null && keys.Contains(m.Key)))
            .ToListAsync(ct);

        foreach (var entry in seed)
        {
            var movie = existing.FirstOrDefault(m => m.Key == entry.Key || (entry.ImdbId is not null && m.ImdbId == entry.ImdbId));
            if (movie is null)
            {
                movie = new Movie { OriginalLanguage = entry.OriginalLanguage, OriginalTitle = entry.OriginalTitle };
                db.Movies.Add(movie);
            }
            else
            {
                movie.Version++;
            }

            movie.Key = entry.Key;
            movie.ImdbId = entry.ImdbId ?? movie.ImdbId;
            movie.TmdbId = entry.TmdbId ?? movie.TmdbId;
            movie.MovieLensId = entry.MovieLensId ?? movie.MovieLensId;
            movie.PriorVotes = entry.MovieLensRatings ?? movie.PriorVotes;
            movie.OriginalLanguage = entry.OriginalLanguage;
            movie.OriginalTitle = entry.OriginalTitle;
            movie.Titles = [.. entry.Titles.Select(t => new MovieTitle { Language = t.Key, Title = t.Value })];
            movie.Year = entry.Year;
            movie.ReleaseDate = entry.ReleaseDate;
            movie.Runtime = entry.Runtime;
            movie.Genres = [.. entry.Genres.Where(Genres.IsKnown)];
            movie.Countries = entry.Countries;
            movie.SynopsisEn = entry.Synopsis?.GetValueOrDefault("en");
            movie.SynopsisKo = entry.Synopsis?.GetValueOrDefault("ko");
            movie.Credits =
            [
                .. entry.Credits
                    .Where(c => people.ContainsKey(c.Person) && Enum.TryParse<CreditRole>(c.Role, ignoreCase: true, out _))
                    .DistinctBy(c => (c.Person, c.Role.ToLowerInvariant()))
                    .Select(c => new Credit
                    {
                        Person = people[c.Person],
                        Role = Enum.Parse<CreditRole>(c.Role, ignoreCase: true),
                        Character = c.Character,
                        Order = c.Order,
                    }),
            ];
            movie.RefreshSearchFields();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded the default catalogue v{Version}: {Movies} films and {People} people in {Milliseconds} ms")]
    private partial void LogLoaded(int version, int movies, int people, long milliseconds);
}
