using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matcha.Gateway.Screens;

/// <summary>
/// The home screen: Catalog's rankings and the rows that need no ratings (new releases, Korean
/// films, a few genres) for everyone; for a signed-in caller also their
/// recommendations and popular films they have yet to rate, each card marked with their score or
/// prediction. The public lists come from <see cref="HomeLists"/>; then one request to Ratings
/// (the caller's states for every listed film, and their recommendations) and one to Catalog
/// (the recommended films' cards).
/// </summary>
internal sealed record HomeScreen(
    IReadOnlyList<Film>? Recommended,
    IReadOnlyDictionary<string, Ranking?> Rankings,
    IReadOnlyList<Film>? ContinueRating,
    IReadOnlyList<Shelf>? Shelves,
    IReadOnlyList<string> Unavailable,
    IReadOnlyDictionary<string, string> Reasons)
{
    private const int CardsPerList = HomeLists.CardsPerList;

    public static async Task<Ok<HomeScreen>> GetAsync(
        ClaimsPrincipal user, HomeLists homeLists, CatalogClient catalog, RatingsClient ratings, CancellationToken ct)
    {
        var unavailable = new Unavailable();
        var shared = await homeLists.GetAsync(ct);
        var lists = new Dictionary<string, Ranking?>();
        foreach (var (kind, part) in shared.Rankings)
        {
            if (part.NotFound)
            {
                unavailable.Add("rankings", "not-found");
            }
            lists[kind] = unavailable.Take(part.Failed ? "catalog" : "rankings", part);
        }
        var popular = unavailable.Take("catalog", shared.Popular)?.Items;
        var shelves = unavailable.Take("catalog", shared.Shelves)?.Shelves;
        if (!user.IsSignedIn())
        {
            return TypedResults.Ok(new HomeScreen(null, lists, null, shelves, unavailable.Names, unavailable.Reasons));
        }

        // Popular films before the shelves: continue rating must know which of them I rated. Past
        // Ratings' batch limit (100 distinct films) a shelf's card goes unmarked.
        var listed = lists.Values.SelectMany(list => list?.Items ?? []).Concat(popular ?? [])
            .Concat(shelves?.SelectMany(shelf => shelf.Items) ?? []);
        var ids = FilmMarks.IdsOf(listed);
        var states = FilmMarks.Take(await ratings.GetMyFilmStatesAsync(ids, user, ct, recommendations: CardsPerList), unavailable);
        var recommended = states is null ? null : await RecommendedAsync(states, user, catalog, unavailable, ct);
        var marks = new FilmMarks(states?.Items ?? []);
        return TypedResults.Ok(new HomeScreen(
            recommended,
            lists.ToDictionary(list => list.Key, list => list.Value is { } ranking ? ranking with { Items = marks.On(ranking.Items) } : null),
            states is null || popular is null ? null : marks.On(UnratedPopular(popular, states)),
            shelves?.Select(shelf => shelf with { Items = marks.On(shelf.Items) }).ToList(),
            unavailable.Names, unavailable.Reasons));
    }

    /// <summary>The caller's recommendations (Ratings) as film cards (one batch read from Catalog), each with its predicted rating; null before the first model.</summary>
    private static async Task<IReadOnlyList<Film>?> RecommendedAsync(
        MyFilmStates states, ClaimsPrincipal user, CatalogClient catalog, Unavailable unavailable, CancellationToken ct)
    {
        if (states.Recommendations is not { } picks)
        {
            return null;
        }
        if (picks.Count == 0)
        {
            return [];
        }
        if (unavailable.Take("catalog", await catalog.GetFilmCardsAsync(picks.Select(pick => pick.MovieId), user, ct)) is not { } found)
        {
            return [];
        }
        var cards = found.Items.ToDictionary(film => film.Id);
        return [.. picks.Where(pick => cards.ContainsKey(pick.MovieId))
            .Select(pick => cards[pick.MovieId].Card() with { Predicted = pick.Predicted, Basis = pick.Basis, PredictedFrom = pick.RatingCount })];
    }

    /// <summary>Popular released films the caller has neither rated nor marked not interested.</summary>
    private static IEnumerable<Film> UnratedPopular(IReadOnlyList<Film> popular, MyFilmStates states)
    {
        var done = states.Items
            .Where(state => state.Score is not null || string.Equals(state.Wish, "notInterested", StringComparison.OrdinalIgnoreCase))
            .Select(state => state.MovieId).ToHashSet();
        return popular.Where(film => !done.Contains(film.Id)).Take(CardsPerList);
    }
}
