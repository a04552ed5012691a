using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matcha.Catalog.People;

/// <summary>People's cards by id, up to 100 in one read: their names in every language Catalog has.</summary>
internal static class PersonCardsApi
{
    public static IEndpointRouteBuilder MapPersonCardsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/people/cards", GetCards)
            .WithTags("People")
            .WithSummary("People's cards for up to 100 ids (ids=3,1,2), in the order asked; ids of no one are left out.");
        return app;
    }

    private static async Task<Results<Ok<CardList<PersonSummary>>, ValidationProblem>> GetCards(string? ids, CatalogDbContext db, CardCache cards, CancellationToken ct)
    {
        if (!BatchIds.TryRead(ids, "ids", out var wanted, out var problem))
        {
            return problem;
        }
        // The one read behind REST and gRPC alike.
        return TypedResults.Ok(new CardList<PersonSummary>(await CardReads.PeopleAsync(db, cards, wanted, ct)));
    }
}
