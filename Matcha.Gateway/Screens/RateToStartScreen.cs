using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matcha.Gateway.Screens;

/// <summary>
/// Rate to start: the next batch of well-known films to rate quickly, those that teach the model
/// most first (Catalog's order), leaving out what I rated, have not seen or am not interested in
/// (Ratings) and what I skipped this visit (<c>skip</c>); with how many films I have rated, for the
/// progress line. One request to Catalog (the candidates, the same for everyone), then one to
/// Ratings (what I did with them).
/// </summary>
internal sealed record RateToStartScreen(
    IReadOnlyList<Film>? Films,
    int? Rated,
    int Target,
    IReadOnlyList<string> Unavailable,
    IReadOnlyDictionary<string, string> Reasons)
{
    public const int BatchSize = 10;

    /// <summary>Where the progress line points ("predictions get sharper at 20"): a round goal, not a measured threshold.</summary>
    public const int SharperAt = 20;

    public static async Task<Results<Ok<RateToStartScreen>, ValidationProblem>> GetAsync(
        string? skip, ClaimsPrincipal user, CatalogClient catalog, RatingsClient ratings, CancellationToken ct)
    {
        IReadOnlyList<int> skipped = [];
        if (!string.IsNullOrEmpty(skip))
        {
            if (!BatchIds.TryRead(skip, "skip", out var read, out var problem))
            {
                return problem;
            }
            skipped = read;
        }

        var unavailable = new Unavailable();
        if (unavailable.Take("catalog", await catalog.GetRateToStartFilmsAsync(CatalogClient.MaxBatch, user, ct)) is not { } candidates)
        {
            return TypedResults.Ok(new RateToStartScreen(null, null, SharperAt, unavailable.Names, unavailable.Reasons));
        }
        var fresh = candidates.Items.Where(film => !skipped.Contains(film.Id)).ToList();
        if (fresh.Count == 0)
        {
            return TypedResults.Ok(new RateToStartScreen([], null, SharperAt, unavailable.Names, unavailable.Reasons));
        }
        var state = unavailable.Take("ratings", await ratings.GetRateToStartStateAsync(fresh.Select(film => film.Id), user, ct));
        // Without Ratings the batch cannot leave out what I did; better none than films I already rated.
        var done = state?.Done.ToHashSet();
        var batch = done is null ? null : fresh.Where(film => !done.Contains(film.Id)).Take(BatchSize).Select(film => film.Card()).ToList();
        return TypedResults.Ok(new RateToStartScreen(batch, state?.Rated, SharperAt, unavailable.Names, unavailable.Reasons));
    }
}
