using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matcha.Gateway.Screens;

/// <summary>
/// The home screen: Catalog's rankings for everyone; for a signed-in caller also their
/// recommendations and popular films they have yet to rate, each card marked with their score or prediction.
/// </summary>
internal sealed record HomeScreen(
    IReadOnlyList<Film>? Recommended,
    IReadOnlyDictionary<string, Ranking?> Rankings,
    IReadOnlyList<Film>? ContinueRating,
    IReadOnlyList<string> Unavailable,
    IReadOnlyDictionary<string, string> Reasons)
{
    private const int CardsPerList = 12;
    private static readonly string[] RankingKinds = ["top-rated", "most-wished", "trending"];

    public static async Task<Ok<HomeScreen>> GetAsync(ClaimsPrincipal user, CatalogClient catalog, RatingsClient ratings, CancellationToken ct)
    {
        var unavailable = new Unavailable();
        var signedIn = user.IsSignedIn();
        var rankings = RankingKinds.Select(kind => catalog.GetRankingAsync(kind, CardsPerList, user, ct)).ToArray();
        var continueRating = signedIn ? ContinueRatingAsync(user, catalog, ratings, unavailable, ct) : Task.FromResult<IReadOnlyList<Film>?>(null);
        var recommended = signedIn ? RecommendedAsync(user, catalog, ratings, unavailable, ct) : Task.FromResult<IReadOnlyList<Film>?>(null);
        await Task.WhenAll([.. rankings, continueRating, recommended]);

        var lists = new Dictionary<string, Ranking?>();
        for (var i = 0; i < RankingKinds.Length; i++)
        {
            var part = rankings[i].Result;
            if (part.NotFound)
            {
                unavailable.Add("rankings", "not-found");
            }
            lists[RankingKinds[i]] = unavailable.Take(part.Failed ? "catalog" : "rankings", part);
        }
        var toRate = continueRating.Result;
        if (signedIn)
        {
            var marks = await FilmMarks.ReadAsync(
                lists.Values.SelectMany(list => list?.Items ?? []).Concat(toRate ?? []), user, ratings, unavailable, ct);
            lists = lists.ToDictionary(list => list.Key, list => list.Value is { } ranking ? ranking with { Items = marks.On(ranking.Items) } : null);
            toRate = toRate is null ? null : marks.On(toRate);
        }
        return TypedResults.Ok(new HomeScreen(recommended.Result, lists, toRate, unavailable.Names, unavailable.Reasons));
    }

    /// <summary>
    /// The caller's recommendations (Ratings) as film cards (Catalog, read in parallel; it caches
    /// each film), each with its predicted rating; null before the first model is trained.
    /// </summary>
    private static async Task<IReadOnlyList<Film>?> RecommendedAsync(
        ClaimsPrincipal user, CatalogClient catalog, RatingsClient ratings, Unavailable unavailable, CancellationToken ct)
    {
        var part = await ratings.GetRecommendationsAsync(CardsPerList, user, ct);
        if (part.NotFound)
        {
            unavailable.Add("predictions", "not-found");   // no model yet
            return null;
        }
        if (unavailable.Take("predictions", part)?.Items is not { } picks)
        {
            return null;
        }
        var films = await Task.WhenAll(picks.Select(pick => catalog.GetMovieAsync(pick.MovieId, user, ct)));
        var cards = new List<Film>();
        for (var i = 0; i < picks.Count; i++)
        {
            if (unavailable.Take("catalog", films[i])?.Card() is { } card)
            {
                cards.Add(card with { Predicted = picks[i].Predicted, Basis = picks[i].Basis, PredictedFrom = picks[i].RatingCount });
            }
        }
        return cards;
    }

    /// <summary>Popular released films the caller has neither rated nor marked not interested.</summary>
    private static async Task<IReadOnlyList<Film>?> ContinueRatingAsync(
        ClaimsPrincipal user, CatalogClient catalog, RatingsClient ratings, Unavailable unavailable, CancellationToken ct)
    {
        var popular = unavailable.Take("catalog", await catalog.GetPopularReleasedFilmsAsync(60, user, ct));
        if (popular?.Items is not { } films)
        {
            return null;
        }
        var mine = unavailable.Take("ratings", await ratings.GetMyFilmStatesAsync(films.Select(film => film.Id), user, ct));
        if (mine?.Items is not { } states)
        {
            return null;
        }
        var done = states.Where(state => state.Score is not null || string.Equals(state.Wish, "notInterested", StringComparison.OrdinalIgnoreCase))
            .Select(state => state.MovieId).ToHashSet();
        return [.. films.Where(film => !done.Contains(film.Id)).Take(CardsPerList)];
    }
}
