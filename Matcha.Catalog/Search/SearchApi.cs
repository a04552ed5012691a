using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Matcha.Catalog.People;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matcha.Catalog.Search;

internal static class SearchApi
{
    private const int Limit = 20;

    public static IEndpointRouteBuilder MapSearchApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/search", SearchAsync)
            .WithTags("Search")
            .WithSummary("Searches films and people together: titles in every language, original titles, people's names.");
        return app;
    }

    private static async Task<Results<Ok<SearchResult>, ValidationProblem>> SearchAsync(
        string? q, CatalogReads reads, SearchIndexSync search, CardCache cards, TimeProvider clock, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(q) || q.Length > 100 || !StoredText.IsStorable(q))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["q"] = ["q is required, at most 100 characters, and plain text (no NUL)."],
            });
        }

        var today = clock.Today();
        var db = reads.Public;
        // Ranked in memory (or by Postgres while the index builds), then both pages' cards in one round trip.
        var (movies, people) = await CardReads.MoviesAndPeopleAsync(db, cards,
            await CatalogSearch.MovieIdsAsync(db, search, q, Limit, ct), await CatalogSearch.PersonIdsAsync(db, search, q, Limit, ct), today, ct);
        return TypedResults.Ok(new SearchResult(movies, people));
    }
}

public sealed record SearchResult(IReadOnlyList<MovieSummary> Movies, IReadOnlyList<PersonSummary> People);
