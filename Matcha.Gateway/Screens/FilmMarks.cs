namespace Matcha.Gateway.Screens;

/// <summary>
/// The caller's own score on each film they rated and their predicted rating on the others, for
/// marking the film cards of a list, from one batch read of their film states.
/// </summary>
internal sealed class FilmMarks(IReadOnlyList<MyFilmState> states)
{
    private readonly Dictionary<int, MyFilmState> _states = states.ToDictionary(state => state.MovieId);

    /// <summary>At most this many films of a screen are marked: Ratings' batch limit.</summary>
    public static IReadOnlyList<int> IdsOf(IEnumerable<Film> films) =>
        [.. films.Select(film => film.Id).Distinct().Take(RatingsClient.MaxBatch)];

    /// <summary>The film with <c>myScore</c> if the caller rated it, else with <c>predicted</c> if there is a prediction.</summary>
    public Film On(Film film) =>
        !_states.TryGetValue(film.Id, out var state) ? film
        : state.Score is { } score ? film with { MyScore = score }
        : state.Predicted is { } guess ? film with { Predicted = guess, PredictedFrom = state.RatingCount }
        : film;

    public IReadOnlyList<Film> On(IEnumerable<Film> films) => [.. films.Select(On)];

    /// <summary>
    /// Records what the read of the states says is missing: all of it when Ratings failed (under
    /// <c>ratings</c>, and <c>predictions</c> with it), only predictions before the first model.
    /// </summary>
    public static MyFilmStates? Take(Part<MyFilmStates> part, Unavailable unavailable)
    {
        var states = unavailable.Take("ratings", part);
        if (part.Failed)
        {
            unavailable.Add("predictions", part.FailureReason!);
        }
        else if (states is { Predicting: false })
        {
            unavailable.Add("predictions", "not-found");
        }
        return states;
    }
}
