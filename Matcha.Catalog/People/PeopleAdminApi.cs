using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Matcha.Catalog.Search;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;

namespace Matcha.Catalog.People;

/// <summary>Editing people, for the <c>admin</c> role. A renamed person is found by the new name in every film they are credited in.</summary>
internal static class PeopleAdminApi
{
    public static IEndpointRouteBuilder MapPeopleAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/people").WithTags("People (admin)")
            .RequireAuthorization(policy => policy.RequireRole(InternalIdentity.AdminRole));
        admin.MapPost("/", CreateAsync).WithSummary("Adds a person.");
        admin.MapPut("/{id:int}", UpdateAsync).WithSummary("Replaces a person's names.");
        admin.MapDelete("/{id:int}", DeleteAsync).WithSummary("Removes a person and their credits.");
        return app;
    }

    private static async Task<Results<Created<PersonSummary>, ValidationProblem>> CreateAsync(
        PersonInput input, CatalogDbContext db, CancellationToken ct)
    {
        if (input.Validate() is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var person = new Person();
        input.ApplyTo(person);
        db.People.Add(person);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/people/{person.Id}", ToSummary(person));
    }

    private static async Task<Results<Ok<PersonSummary>, NotFound, ValidationProblem>> UpdateAsync(
        int id, PersonInput input, CatalogDbContext db, HybridCache cache, CardCache cards, CatalogStandby standby, CancellationToken ct)
    {
        if (input.Validate() is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var person = await db.People.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (person is null)
        {
            return TypedResults.NotFound();
        }

        input.ApplyTo(person);
        var movieIds = await db.Credits.Where(c => c.PersonId == id).Select(c => c.MovieId).Distinct().ToListAsync(ct);
        await RefreshFilmsAsync(db, cache, cards, standby, id, movieIds, ct);
        return TypedResults.Ok(ToSummary(person));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(int id, CatalogDbContext db, HybridCache cache, CardCache cards, CatalogStandby standby, CancellationToken ct)
    {
        var movieIds = await db.Credits.Where(c => c.PersonId == id).Select(c => c.MovieId).Distinct().ToListAsync(ct);
        if (await db.People.Where(p => p.Id == id).ExecuteDeleteAsync(ct) == 0)
        {
            return TypedResults.NotFound();
        }

        await RefreshFilmsAsync(db, cache, cards, standby, id, movieIds, ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// A person's names are part of their films' search text: after a rename or removal, those
    /// films are re-indexed (a write, so their versions move) and every cached view of them goes.
    /// </summary>
    private static async Task RefreshFilmsAsync(CatalogDbContext db, HybridCache cache, CardCache cards, CatalogStandby standby, int personId, List<int> movieIds, CancellationToken ct)
    {
        foreach (var movieId in movieIds)
        {
            var movie = (await CatalogWrites.LoadForWriteAsync(db, movieId, ct))!;
            movie.Version++;
            movie.RefreshSearchFields();
        }
        await db.SaveChangesAsync(ct);
        // After the commit: a card read before it and kept after this would be the old one.
        cards.DropPeople([personId]);
        string[] tags = [CacheKeys.Person(personId), .. movieIds.Select(CacheKeys.Movie), MoviesApi.ListsTag];
        await standby.FenceAsync(tags);
        await cache.RemoveByTagAsync(tags, ct);
    }

    private static PersonSummary ToSummary(Person person) => new(person.Id, person.Names.ToDictionary(n => n.Language, n => n.Name));
}

public sealed record PersonInput(Dictionary<string, string>? Names)
{
    public Dictionary<string, string[]> Validate() =>
        Names is { Count: > 0 } && Names.All(n => n.Key.Length is 2 or 3 && n.Key.All(char.IsAsciiLetterLower) && !string.IsNullOrWhiteSpace(n.Value) && n.Value.Length <= 200)
            ? []
            : new() { ["names"] = ["names maps language codes (e.g. ko, en) to names of 1 to 200 characters; at least one."] };

    public void ApplyTo(Person person)
    {
        person.Names = [.. Names!.Select(n => new PersonName { Language = n.Key, Name = n.Value.Trim() })];
        person.SearchText = SearchText.Join(person.Names.Select(n => n.Name));
    }
}
