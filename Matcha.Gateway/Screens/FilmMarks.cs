using System.Security.Claims;

namespace Matcha.Gateway.Screens;

/// <summary>
/// The caller's own score on each film they rated and their predicted rating on the others, for
/// marking the film cards of a list: two batch reads from Ratings, in parallel.
/// </summary>
internal sealed class FilmMarks
{
    private static readonly FilmMarks None = new([], []);

    private readonly Dictionary<int, double> _scores;
    private readonly Dictionary<int, Prediction> _predicted;

    private FilmMarks(Dictionary<int, double> scores, Dictionary<int, Prediction> predicted) => (_scores, _predicted) = (scores, predicted);

    public static async Task<FilmMarks> ReadAsync(
        IEnumerable<Film> films, ClaimsPrincipal user, RatingsClient ratings, Unavailable unavailable, CancellationToken ct)
    {
        var ids = films.Select(film => film.Id).Distinct().Take(RatingsClient.MaxBatch).ToList();
        if (ids.Count == 0)
        {
            return None;
        }
        var mine = ratings.GetMyFilmStatesAsync(ids, user, ct);
        var predictions = ratings.GetPredictionsAsync(ids, user, ct);
        await Task.WhenAll(mine, predictions);
        if (predictions.Result.NotFound)
        {
            unavailable.Add("predictions", "not-found");
        }
        var scores = (unavailable.Take("ratings", mine.Result)?.Items ?? [])
            .Where(state => state.Score is not null)
            .ToDictionary(state => state.MovieId, state => state.Score!.Value);
        var predicted = (unavailable.Take("predictions", predictions.Result)?.Items ?? [])
            .ToDictionary(prediction => prediction.MovieId);
        return new FilmMarks(scores, predicted);
    }

    /// <summary>The film with <c>myScore</c> if the caller rated it, else with <c>predicted</c> if there is a prediction.</summary>
    public Film On(Film film) =>
        _scores.TryGetValue(film.Id, out var score) ? film with { MyScore = score }
        : _predicted.TryGetValue(film.Id, out var guess) ? film with { Predicted = guess.Predicted, PredictedFrom = guess.RatingCount }
        : film;

    public IReadOnlyList<Film> On(IEnumerable<Film> films) => [.. films.Select(On)];
}
