using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matcha.Gateway.Screens;

/// <summary>
/// A person's page: Catalog's person and filmography, each film marked with the signed-in
/// caller's score or prediction. One request to Catalog, then one to Ratings for the marks.
/// </summary>
internal sealed record PersonScreen(Person? Person, IReadOnlyList<string> Unavailable, IReadOnlyDictionary<string, string> Reasons)
{
    public static async Task<Results<Ok<PersonScreen>, NotFound>> GetAsync(
        int id, ClaimsPrincipal user, CatalogClient catalog, RatingsClient ratings, CancellationToken ct)
    {
        var unavailable = new Unavailable();
        var person = await catalog.GetPersonAsync(id, user, ct);
        if (person.NotFound)
        {
            return TypedResults.NotFound();
        }
        var found = unavailable.Take("catalog", person);
        if (user.IsSignedIn() && found is { Filmography.Count: > 0 })
        {
            var ids = FilmMarks.IdsOf(found.Filmography.Select(entry => entry.Movie));
            var marks = new FilmMarks(FilmMarks.Take(await ratings.GetMyFilmStatesAsync(ids, user, ct), unavailable)?.Items ?? []);
            found = found with { Filmography = [.. found.Filmography.Select(entry => entry with { Movie = marks.On(entry.Movie) })] };
        }
        return TypedResults.Ok(new PersonScreen(found, unavailable.Names, unavailable.Reasons));
    }
}
