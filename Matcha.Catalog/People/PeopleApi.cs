using System.ComponentModel;
using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;

namespace Matcha.Catalog.People;

internal static class PeopleApi
{
    public static IEndpointRouteBuilder MapPeopleApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/people/{id:int}", GetPerson)
            .WithTags("People")
            .Produces<PersonDetail>(StatusCodes.Status200OK, "application/json")
            .WithSummary("Gets a person with their filmography, newest first.");
        return app;
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> GetPerson(
        int id, CatalogReads reads, HybridCache cache, CachedJson json, TimeProvider clock, CancellationToken ct)
    {
        var today = clock.Today();
        var person = await cache.GetOrCreateAsync(CacheKeys.Person(id), async ct => await LoadAsync(await reads.ForFillAsync(CacheKeys.Person(id)), id, today, ct),
            tags: [CacheKeys.Person(id)], cancellationToken: ct);
        return person is null ? TypedResults.NotFound() : json.Ok(person);
    }

    private static async Task<PersonDetail?> LoadAsync(CatalogDbContext db, int id, DateOnly today, CancellationToken ct)
    {
        var person = await db.People.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct);
        if (person is null)
        {
            return null;
        }

        var credits = await db.Credits.AsNoTracking()
            .Where(c => c.PersonId == id)
            .Join(db.Movies.Include(m => m.Titles), c => c.MovieId, m => m.Id, (c, m) => new { Credit = c, Movie = m })
            .ToListAsync(ct);
        var filmography = credits
            .OrderByDescending(x => x.Movie.Year).ThenBy(x => x.Movie.Id)
            .Select(x => new FilmographyEntry(x.Movie.ToSummary(today), x.Credit.Role.ToString().ToLowerInvariant(), x.Credit.Character))
            .ToList();
        return new PersonDetail(person.Id, person.Names.ToDictionary(n => n.Language, n => n.Name), filmography);
    }
}

/// <summary>A person's page. Immutable, so HybridCache hands out the cached instance instead of deserializing a copy per hit.</summary>
[ImmutableObject(true)]
public sealed record PersonDetail(int Id, IReadOnlyDictionary<string, string> Names, IReadOnlyList<FilmographyEntry> Filmography);

public sealed record FilmographyEntry(MovieSummary Movie, string Role, string? Character);

public sealed record PersonSummary(int Id, IReadOnlyDictionary<string, string> Names);
