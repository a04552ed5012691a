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
        string? q, CatalogReads reads, SearchIndexSync search, TimeProvider clock, CancellationToken ct)
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
        var movies = await CatalogSearch.MoviesAsync(db, search, q, Limit, ct);
        var people = await CatalogSearch.PeopleAsync(db, search, q, Limit, ct);
        return TypedResults.Ok(new SearchResult(
            [.. movies.Select(m => m.ToSummary(today))],
            [.. people.Select(p => new PersonSummary(p.Id, p.Names.ToDictionary(n => n.Language, n => n.Name)))]));
    }
}

public sealed record SearchResult(IReadOnlyList<MovieSummary> Movies, IReadOnlyList<PersonSummary> People);
