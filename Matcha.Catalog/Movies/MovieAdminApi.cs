using Matcha.Catalog.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;

namespace Matcha.Catalog.Movies;

/// <summary>Catalogue editing, for the <c>admin</c> role. Every write bumps the film's version and invalidates exactly what it changed.</summary>
internal static class MovieAdminApi
{
    public static IEndpointRouteBuilder MapMovieAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/movies").WithTags("Movies (admin)")
            .RequireAuthorization(policy => policy.RequireRole(InternalIdentity.AdminRole));
        admin.MapPost("/", CreateAsync).WithSummary("Adds a film.");
        admin.MapPut("/{id:int}", UpdateAsync).WithSummary("Replaces a film's facts; send the version you read to refuse a lost update.");
        admin.MapPut("/{id:int}/credits", ReplaceCreditsAsync).WithSummary("Replaces a film's credits.");
        admin.MapDelete("/{id:int}", DeleteAsync).WithSummary("Removes a film.");
        return app;
    }

    private static async Task<Results<Created<MovieDetail>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        MovieInput input, CatalogDbContext db, HybridCache cache, CardCache cards, CatalogStandby standby, TimeProvider clock, CancellationToken ct)
    {
        if (input.Validate() is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var movie = new Movie { OriginalLanguage = "", OriginalTitle = "" };
        input.ApplyTo(movie);
        movie.RefreshSearchFields();
        db.Movies.Add(movie);
        if (await CatalogWrites.SaveAsync(db, ct) is { } conflict)
        {
            return conflict;
        }

        await CatalogWrites.InvalidateAsync(cache, cards, standby, movie.Id, [], ct);
        return TypedResults.Created($"/movies/{movie.Id}", movie.ToDetail(clock.Today()));
    }

    private static async Task<Results<Ok<MovieDetail>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        int id, MovieInput input, CatalogDbContext db, HybridCache cache, CardCache cards, CatalogStandby standby, TimeProvider clock, CancellationToken ct)
    {
        if (input.Validate() is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var movie = await CatalogWrites.LoadForWriteAsync(db, id, ct);
        if (movie is null)
        {
            return TypedResults.NotFound();
        }
        if (input.Version is { } version && version != movie.Version)
        {
            return CatalogWrites.Conflict($"The film was changed since you read it (it is at version {movie.Version}).", "version");
        }

        input.ApplyTo(movie);
        movie.Version++;
        movie.RefreshSearchFields();
        if (await CatalogWrites.SaveAsync(db, ct) is { } conflict)
        {
            return conflict;
        }

        await CatalogWrites.InvalidateAsync(cache, cards, standby, id, movie.Credits.Select(c => c.PersonId), ct);
        return TypedResults.Ok(movie.ToDetail(clock.Today()));
    }

    private static async Task<Results<Ok<MovieDetail>, NotFound, ValidationProblem>> ReplaceCreditsAsync(
        int id, List<CreditInput> credits, CatalogDbContext db, HybridCache cache, CardCache cards, CatalogStandby standby, TimeProvider clock, CancellationToken ct)
    {
        var personIds = credits.Select(c => c.PersonId).Distinct().ToList();
        var people = await db.People.Where(p => personIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < credits.Count; i++)
        {
            if (!people.ContainsKey(credits[i].PersonId))
            {
                errors[$"credits[{i}].personId"] = [$"No person {credits[i].PersonId}."];
            }
            if (!Enum.TryParse<CreditRole>(credits[i].Role, ignoreCase: true, out _) || int.TryParse(credits[i].Role, out _))
            {
                errors[$"credits[{i}].role"] = ["role is director, writer or cast."];
            }
            if (credits[i].Character is { Length: > 200 })
            {
                errors[$"credits[{i}].character"] = ["character is at most 200 characters."];
            }
        }
        if (credits.Count > 200)
        {
            errors["credits"] = ["At most 200 credits."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var movie = await CatalogWrites.LoadForWriteAsync(db, id, ct);
        if (movie is null)
        {
            return TypedResults.NotFound();
        }

        var before = movie.Credits.Select(c => c.PersonId).ToList();
        movie.Credits =
        [
            .. credits
                .DistinctBy(c => (c.PersonId, c.Role!.ToLowerInvariant()))
                .Select(c => new Credit
                {
                    PersonId = c.PersonId,
                    Person = people[c.PersonId],
                    Role = Enum.Parse<CreditRole>(c.Role!, ignoreCase: true),
                    Character = c.Character,
                    Order = c.Order,
                }),
        ];
        await db.Entry(movie).Collection(m => m.Credits).Query().Include(c => c.Person!).ThenInclude(p => p.Names).LoadAsync(ct);
        movie.Version++;
        movie.RefreshSearchFields();
        await db.SaveChangesAsync(ct);

        await CatalogWrites.InvalidateAsync(cache, cards, standby, id, before.Concat(personIds), ct);
        return TypedResults.Ok(movie.ToDetail(clock.Today()));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(int id, CatalogDbContext db, HybridCache cache, CardCache cards, CatalogStandby standby, CancellationToken ct)
    {
        var people = await db.Credits.Where(c => c.MovieId == id).Select(c => c.PersonId).ToListAsync(ct);
        var movie = await db.Movies.SingleOrDefaultAsync(m => m.Id == id, ct);
        if (movie is null)
        {
            return TypedResults.NotFound();
        }

        // Tracked, not ExecuteDelete: the removal must queue MovieRemoved in the same transaction.
        db.Movies.Remove(movie);
        await db.SaveChangesAsync(ct);

        await CatalogWrites.InvalidateAsync(cache, cards, standby, id, people, ct);
        return TypedResults.NoContent();
    }
}
