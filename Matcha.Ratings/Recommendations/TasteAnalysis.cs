using Matcha.Ratings.Data;
using Matcha.Ratings.Recommendations.Serving;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Matcha.Ratings.Recommendations;

/// <summary>A genre, country or person the user likes: <see cref="Weight"/> is the sum of (score − 2.75) over the films.</summary>
public sealed record TasteItem(string Name, int? PersonId, double Weight, int Count, double Average);

public sealed record Taste(
    int RatingCount, int[] Distribution, double? MyAverage, double? EveryonesAverage,
    IReadOnlyList<TasteItem> Genres, IReadOnlyList<TasteItem> Countries,
    IReadOnlyList<TasteItem> Directors, IReadOnlyList<TasteItem> Actors,
    int TotalRuntimeMinutes, int FilmsWithRuntime);

/// <summary>
/// 취향분석. "Liked" is measured against the middle of the scale, 2.75 stars: each rated film adds
/// (score − 2.75) to its genres, countries, directors and actors, so a 5-star film adds 2.25, a
/// 3-star one 0.25 and a 1-star one −1.75. A favourite is what scores highest in total: liked
/// often and much, and what was disliked counts against it. Only positive totals are shown,
/// the top ten of each, ties to the more often rated.
/// </summary>
/// <remarks>
/// The user's scores are read on every request (one index range); the analysis of them is kept in
/// memory with exactly the scores it was made from, and used while they are still the user's
/// scores, so a rating changed a moment ago, on any replica, counts on the next request. What the
/// analysis also rests on, the films' genres, countries and people in Ratings' copy, changes
/// rarely: a kept analysis is made again after <see cref="KeptFor"/> at the latest. Reading those
/// films was most of "my page" (13 of its 27 CPU milliseconds at 500 ratings: docs/performance.md).
/// </remarks>
internal static class TasteAnalysis
{
    public const double Middle = 2.75;
    private const int FavouriteCount = 10;
    public static readonly TimeSpan KeptFor = TimeSpan.FromMinutes(5);

    private sealed record KeptKey(Guid User);

    private sealed record Kept((int MovieId, double Score)[] Scores, Taste Taste);

    public static async Task<Ok<Taste>> AnalyseAsync(
        CurrentUser user, RatingsDbContext db, IMemoryCache cache, EveryonesAverage everyonesAverage, CancellationToken cancellationToken)
    {
        var scores = await PersonalModels.ScoresAsync(user.Id, db, cancellationToken);
        return await FromScoresAsync(user, scores, db, cache, everyonesAverage, cancellationToken);
    }

    /// <summary>
    /// The analysis of the user's ratings that count, as the fold-in reads them (<see cref="PersonalModels.ScoresCommand"/>),
    /// for a caller that read them with its other rows in one round trip: my page's overview.
    /// </summary>
    public static async Task<Ok<Taste>> FromScoresAsync(
        CurrentUser user, UserScore[] scores, RatingsDbContext db, IMemoryCache cache, EveryonesAverage everyonesAverage, CancellationToken cancellationToken)
    {
        var mine = scores.Select(s => (s.MovieId, Score: (double)s.Score)).ToArray();
        var everyone = await everyonesAverage.GetAsync(cancellationToken) is { } all ? Math.Round(all, 2) : (double?)null;

        var key = new KeptKey(user.Id);
        if (!cache.TryGetValue(key, out Kept? kept) || !kept!.Scores.AsSpan().SequenceEqual(mine))
        {
            kept = new Kept(mine, await AnalyseAsync(mine, db, cancellationToken));
            cache.Set(key, kept, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = KeptFor });
        }
        return TypedResults.Ok(kept.Taste with { EveryonesAverage = everyone });
    }

    private static async Task<Taste> AnalyseAsync((int MovieId, double Score)[] mine, RatingsDbContext db, CancellationToken cancellationToken)
    {
        var ids = mine.Select(r => r.MovieId).ToList();
        var films = await db.Movies.AsNoTracking().Where(m => ids.Contains(m.Id)).ToDictionaryAsync(m => m.Id, cancellationToken);

        var distribution = new int[10];
        var genres = new Tally();
        var countries = new Tally();
        var directors = new Tally();
        var actors = new Tally();
        var runtime = 0;
        var withRuntime = 0;
        foreach (var rating in mine)
        {
            distribution[(int)(rating.Score * 2) - 1]++;
            if (!films.TryGetValue(rating.MovieId, out var film))
            {
                continue;
            }
            foreach (var genre in film.Genres)
            {
                genres.Add(genre, null, rating.Score);
            }
            foreach (var country in film.Countries)
            {
                countries.Add(country, null, rating.Score);
            }
            foreach (var director in film.Directors)
            {
                directors.Add(director.Name, director.Id, rating.Score);
            }
            foreach (var actor in film.Cast)
            {
                actors.Add(actor.Name, actor.Id, rating.Score);
            }
            if (film.Runtime is { } minutes)
            {
                runtime += minutes;
                withRuntime++;
            }
        }
        return new Taste(
            mine.Length, distribution, mine.Length == 0 ? null : Math.Round(mine.Average(r => r.Score), 2),
            EveryonesAverage: null,
            genres.Favourites(), countries.Favourites(), directors.Favourites(), actors.Favourites(),
            runtime, withRuntime);
    }

    private sealed class Tally
    {
        private readonly Dictionary<(string Name, int? Id), (double Weight, int Count, double Sum)> items = [];

        public void Add(string name, int? id, double score)
        {
            var (weight, count, sum) = items.GetValueOrDefault((name, id));
            items[(name, id)] = (weight + score - Middle, count + 1, sum + score);
        }

        public IReadOnlyList<TasteItem> Favourites() =>
        [
            .. items.Where(i => i.Value.Weight > 0)
                .OrderByDescending(i => i.Value.Weight).ThenByDescending(i => i.Value.Count).ThenBy(i => i.Key.Name, StringComparer.Ordinal)
                .Take(FavouriteCount)
                .Select(i => new TasteItem(i.Key.Name, i.Key.Id, Math.Round(i.Value.Weight, 2), i.Value.Count, Math.Round(i.Value.Sum / i.Value.Count, 2))),
        ];
    }
}
