using System.Globalization;
using Matcha.Ratings.Data;
using Matcha.Ratings.Recommendations.Serving;
using Matcha.Ratings.Wishlist;
using Matcha.Recommendations.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Matcha.Ratings.Recommendations;

internal static class RecommendationsApi
{
    public const int MaxBatch = 100;
    public const int MaxLimit = 100;

    public static IEndpointRouteBuilder MapRecommendationsApi(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/me").WithTags("Recommendations").RequireAuthorization();
        me.MapGet("/predictions/{movieId:int}", PredictOne).WithSummary("The caller's predicted rating of a film, in half stars, and what it is based on.");
        me.MapGet("/predictions", PredictMany).WithSummary("Predicted ratings for up to 100 films (movieIds=1,2,3); films Ratings does not know are left out.");
        me.MapGet("/recommendations", Recommend)
            .WithSummary("The films with the highest predicted rating that the caller has not rated and not marked not interested.");
        me.MapGet("/taste", TasteAnalysis.AnalyseAsync).WithSummary("The caller's taste: score distribution, averages, favourite genres, countries, directors, actors, running time.");

        app.MapGet("/members/{handle:guid}/taste-match", TasteMatch.MatchAsync).WithTags("Recommendations").RequireAuthorization()
            .WithSummary("How alike the caller and another member rate, in percent; none below 5 films rated by both.");

        var admin = app.MapGroup("/admin/recommendations").WithTags("Recommendations")
            .RequireAuthorization(policy => policy.RequireRole(InternalIdentity.AdminRole));
        admin.MapPost("/train", Train).WithSummary("Starts a full training in the background; GET model shows when it is served.");
        admin.MapGet("/model", ModelStatus).WithSummary("The served model and whether a training is running on this replica.");
        return app;
    }

    private static async Task<Results<Ok<Prediction>, NotFound, ProblemHttpResult>> PredictOne(
        int movieId, CurrentUser user, RatingsDbContext db, PersonalModels models, CancellationToken cancellationToken)
    {
        if (!await db.Movies.AnyAsync(m => m.Id == movieId && m.RemovedAt == null, cancellationToken))
        {
            return TypedResults.NotFound();
        }
        if (await models.ForUserAsync(user.Id, db, cancellationToken) is not { } personal)
        {
            return NoModelYet();
        }
        return TypedResults.Ok(personal.Predict(movieId));
    }

    private static async Task<Results<Ok<PredictionList>, ValidationProblem, ProblemHttpResult>> PredictMany(
        string? movieIds, CurrentUser user, RatingsDbContext db, PersonalModels models, CancellationToken cancellationToken)
    {
        if (!TryParseIds(movieIds, out var ids))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["movieIds"] = [$"movieIds must be 1 to {MaxBatch} film ids separated by commas, e.g. movieIds=1,2,3."],
            });
        }
        var known = await db.Movies.AsNoTracking()
            .Where(m => ids.Contains(m.Id) && m.RemovedAt == null)
            .Select(m => m.Id)
            .ToListAsync(cancellationToken);
        if (await models.ForUserAsync(user.Id, db, cancellationToken) is not { } personal)
        {
            return NoModelYet();
        }
        var present = known.ToHashSet();
        return TypedResults.Ok(new PredictionList([.. ids.Where(present.Contains).Select(personal.Predict)]));
    }

    private static async Task<Results<Ok<PredictionList>, ValidationProblem, ProblemHttpResult>> Recommend(
        string? genre, bool? includeUnreleased, int? limit, CurrentUser user, RatingsDbContext db,
        PersonalModels models, FilmShelf shelf, IMemoryCache cache, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["limit"] = [$"limit must be between 1 and {MaxLimit}."],
            });
        }
        if (await models.ForUserAsync(user.Id, db, cancellationToken) is not { } personal)
        {
            return NoModelYet();
        }
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var notInterested = await NotInterestedAsync(user.Id, db, cancellationToken);
        return TypedResults.Ok(new PredictionList(await TopPicksAsync(personal, user.Id, notInterested, shelf, cache, today, limit ?? 20, genre, includeUnreleased == true, cancellationToken)));
    }

    /// <summary>How long a user's top picks are kept for the same fit, films, day and filters.</summary>
    private static readonly TimeSpan TopPicksLifetime = TimeSpan.FromMinutes(5);

    /// <summary>What a ranking of top picks depends on; the fit and the film list by identity (a new rating or a film change makes new ones).</summary>
    private sealed record TopPicksKey(Guid User, object Fit, object Films, DateOnly Today, int Wanted, string? Genre, bool IncludeUnreleased, string NotInterested);

    /// <summary>
    /// The caller's <paramref name="wanted"/> films of highest predicted rating, neither rated nor
    /// marked not interested. Ranking scores every film (at 100,000 films and 64 kept samples,
    /// tens of milliseconds of CPU), so a ranking is kept for as long as everything it rests on is
    /// unchanged: the same fold-in (the user's ratings as they are now, on this day, under this
    /// model), the same film list, the same not-interested films and the same filters.
    /// </summary>
    /// <param name="notInterested">The films the user marked not interested, in id order.</param>
    internal static async Task<List<Prediction>> TopPicksAsync(
        PersonalModel personal, Guid userId, IReadOnlyList<int> notInterested, FilmShelf shelf, IMemoryCache cache, DateOnly today, int wanted,
        string? genre, bool includeUnreleased, CancellationToken cancellationToken)
    {
        var films = await shelf.AllAsync(cancellationToken);
        if (personal.Fit is not { } fit)
        {
            return Rank(personal, films, [.. notInterested], today, wanted, genre, includeUnreleased, cancellationToken);
        }
        var key = new TopPicksKey(userId, fit, films, today, wanted, genre, includeUnreleased, string.Join(',', notInterested));
        // Ranked once for all the requests that miss together (a new film list is a new key for every
        // request in flight); a request that gives up stops waiting, and the ranking is kept for the next.
        return await cache.GetOrComputeAsync(
            key, new MemoryCacheEntryOptions { SlidingExpiration = TopPicksLifetime },
            ct => Task.FromResult(Rank(personal, films, [.. notInterested], today, wanted, genre, includeUnreleased, ct)),
            cancellationToken);
    }

    /// <summary>The films <paramref name="userId"/> marked not interested, in id order (the order a ranking's cache key needs).</summary>
    private static Task<List<int>> NotInterestedAsync(Guid userId, RatingsDbContext db, CancellationToken cancellationToken) =>
        db.WishlistEntries.AsNoTracking()
            .Where(w => w.UserId == userId && w.State == WishState.NotInterested)
            .OrderBy(w => w.MovieId)
            .Select(w => w.MovieId)
            .ToListAsync(cancellationToken);

    private static List<Prediction> Rank(
        PersonalModel personal, IReadOnlyList<ShelfFilm> films, HashSet<int> notInterested, DateOnly today, int wanted,
        string? genre, bool includeUnreleased, CancellationToken cancellationToken)
    {
        // The lowest of the best kept so far is at the head, ready to be replaced by a better one.
        var best = new PriorityQueue<(int Id, float Score, PredictionBasis Basis), (float Score, int Id)>(wanted + 1);
        for (var i = 0; i < films.Count; i++)
        {
            // A caller that gave up (the gateway's attempt timed out) stops costing CPU here; a shared ranking
            // (SharedEntries) is given no token: it runs on for the requests still waiting and the next.
            if ((i & 4095) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            var film = films[i];
            if (personal.Rated.Contains(film.Id) || notInterested.Contains(film.Id)
                || (!includeUnreleased && !film.IsReleasedOn(today))
                || (!string.IsNullOrEmpty(genre) && !film.Genres.Contains(genre, StringComparer.OrdinalIgnoreCase)))
            {
                continue;
            }
            var (score, basis) = personal.Score(film.Id);
            // Ties go to the lower id, so a page is stable from one request to the next.
            best.Enqueue((film.Id, score, basis), (score, -film.Id));
            if (best.Count > wanted)
            {
                best.Dequeue();
            }
        }
        var items = new List<Prediction>(best.Count);
        while (best.TryDequeue(out var film, out _))
        {
            items.Add(new Prediction(film.Id, RatingScale.ToHalfStars(film.Score), film.Basis, personal.RatingCount));
        }
        items.Reverse();
        return items;
    }

    private static Accepted<TrainingStatus> Train(ModelTrainingService training, ModelTrainer trainer, CurrentModel current)
    {
        training.RequestTraining();
        return TypedResults.Accepted("/admin/recommendations/model", new TrainingStatus(current.Model?.Info, Requested: true, trainer.IsTraining));
    }

    private static Ok<TrainingStatus> ModelStatus(ModelTrainer trainer, CurrentModel current) =>
        TypedResults.Ok(new TrainingStatus(current.Model?.Info, Requested: false, trainer.IsTraining));

    /// <summary>
    /// 404, not 503: Ratings is up and answering; the prediction does not exist yet. (A 503 would
    /// also count as a failure in callers' circuit breakers and cut them off from all of Ratings.)
    /// </summary>
    private static ProblemHttpResult NoModelYet() => TypedResults.Problem(
        "No recommendation model has been trained yet (there were no ratings to learn from); predictions start with the first training.",
        title: "No model yet", statusCode: StatusCodes.Status404NotFound);

    private static bool TryParseIds(string? text, out List<int> ids)
    {
        ids = [];
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        foreach (var part in text.Split(','))
        {
            if (!int.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
            {
                return false;
            }
            if (!ids.Contains(id))
            {
                ids.Add(id);
            }
        }
        return ids.Count <= MaxBatch;
    }
}

public sealed record PredictionList(IReadOnlyList<Prediction> Items);

/// <summary>The served model (null before the first training) and the state of training.</summary>
public sealed record TrainingStatus(ModelInfo? Model, bool Requested, bool Training);
