using System.Globalization;
using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Catalog.Rankings;

/// <summary>A film in a ranking: the browse list's card, and its place.</summary>
public sealed record RankedMovie : MovieSummary
{
    public RankedMovie(MovieSummary summary, int rank) : base(summary) => Rank = rank;

    public int Rank { get; init; }
}

public sealed record Ranking(string Kind, IReadOnlyList<RankedMovie> Items);

internal static class RankingsApi
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    public static IEndpointRouteBuilder MapRankingsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/rankings/{kind}", GetRanking).WithTags("Rankings")
            .WithSummary("Top rated (with a minimum number of ratings), most wished, or trending (activity of the last days) films, best first.");
        return app;
    }

    private static async Task<Results<Ok<Ranking>, ValidationProblem>> GetRanking(
        string kind, string? limit, MovieRankings rankings, CatalogDbContext db, CardCache cards, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!MovieRankings.Kinds.Contains(kind))
        {
            errors["kind"] = [$"kind must be one of {string.Join(", ", MovieRankings.Kinds)}."];
        }
        var size = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxLimit))
        {
            errors["limit"] = [$"limit must be a whole number from 1 to {MaxLimit}."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var ids = await rankings.TopAsync(kind, size, ct);
        // A film removed since it was ranked is left out; the ranks stay consecutive.
        var items = (await CardReads.MoviesAsync(db, cards, ids, clock.Today(), ct)).Select((movie, i) => new RankedMovie(movie, i + 1)).ToList();
        return TypedResults.Ok(new Ranking(kind, items));
    }
}
