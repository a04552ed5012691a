using Matcha.Catalog.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matcha.Catalog.Movies;

/// <summary>
/// Film cards by id, up to 100 in one read: what a list row or poster shows of a film (the same
/// <see cref="MovieSummary"/> the browse pages give). Callers that hold ids from elsewhere (the
/// gateway's screens, Ratings' recommendations) ask once per screen instead of once per film.
/// </summary>
internal static class MovieCardsApi
{
    public static IEndpointRouteBuilder MapMovieCardsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/movies/cards", GetCards)
            .WithTags("Movies")
            .WithSummary("Film cards for up to 100 ids (ids=3,1,2), in the order asked; ids of no film are left out.");
        return app;
    }

    private static async Task<Results<Ok<CardList<MovieSummary>>, ValidationProblem>> GetCards(
        string? ids, CatalogDbContext db, CardCache cards, TimeProvider clock, CancellationToken ct)
    {
        if (!BatchIds.TryRead(ids, "ids", out var wanted, out var problem))
        {
            return problem;
        }
        // The one read behind REST and gRPC alike.
        return TypedResults.Ok(new CardList<MovieSummary>(await CardReads.MoviesAsync(db, cards, wanted, clock.Today(), ct)));
    }
}

/// <summary>The answer of a batch read: the items found, in the order their ids were asked.</summary>
public sealed record CardList<T>(IReadOnlyList<T> Items);
