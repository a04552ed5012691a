using Matcha.Gateway.Screens;

namespace Matcha.Gateway.GraphQL;

/// <summary>
/// What one GraphQL request reads in batches, as its caller: film cards (Catalog) and the
/// caller's film states (Ratings). Scoped: a request's batches are its own.
/// </summary>
internal sealed class GraphQLReads
{
    public GraphQLReads(CatalogClient catalog, RatingsClient ratings, IHttpContextAccessor http)
    {
        var user = http.HttpContext?.User ?? new();
        FilmCards = new(async (ids, ct) =>
        {
            var cards = new Dictionary<int, Film>();
            foreach (var chunk in ids.Chunk(CatalogClient.MaxBatch))
            {
                var part = await catalog.GetFilmCardsAsync(chunk, user, ct);
                if (part.Failed)
                {
                    return new BatchAnswer<Film>(cards, "catalog", part.FailureReason);
                }
                foreach (var film in part.Value?.Items ?? [])
                {
                    cards[film.Id] = film;
                }
            }
            return new BatchAnswer<Film>(cards);
        });
        FilmStates = new(async (ids, ct) =>
        {
            var states = new Dictionary<int, MyFilmState>();
            foreach (var chunk in ids.Chunk(RatingsClient.MaxBatch))
            {
                var part = await ratings.GetMyFilmStatesAsync(chunk, user, ct);
                if (part.Failed)
                {
                    return new BatchAnswer<MyFilmState>(states, "ratings", part.FailureReason);
                }
                foreach (var state in part.Value?.Items ?? [])
                {
                    states[state.MovieId] = state;
                }
            }
            return new BatchAnswer<MyFilmState>(states);
        });
    }

    public PerRequestBatch<Film> FilmCards { get; }

    public PerRequestBatch<MyFilmState> FilmStates { get; }
}
