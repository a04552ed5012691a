using System.Diagnostics;
using Matcha.Ratings.Data;
using Matcha.Recommendations.Evaluation;
using Matcha.Recommendations.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Matcha.Ratings.Recommendations.Serving;

/// <summary>
/// Trains the Bayesian model (the most accurate in cross-validation, docs/recommendations.md) on
/// every rating that counts, each with the day it was last given, stores it and swaps it in. Two
/// fits run one after the other on one core, so requests keep the other: the served model on all
/// ratings, then the same configuration without a random 10 % to measure its RMSE on that 10 % as served (each user folded in
/// from their other ratings, on a day they have not rated) and the baseline's. One
/// training at a time across all replicas: the others skip while a Postgres advisory lock is held,
/// and load the result when it is stored.
/// </summary>
internal sealed partial class ModelTrainer(
    IServiceScopeFactory scopes, CurrentModel current, TimeProvider clock,
    IOptions<RecommendationOptions> options, ILogger<ModelTrainer> logger) : IDisposable
{
    private const long TrainingLockKey = 0x6d61746368610010;   // "matcha" + 16
    private const int MinimumForHoldOut = 200;
    private const double HoldOutShare = 0.1;

    private readonly SemaphoreSlim training = new(1, 1);

    public bool IsTraining => training.CurrentCount == 0;

    public void Dispose() => training.Dispose();

    /// <summary>Trains now; null when another training runs (here or on another replica) or there is nothing to learn from.</summary>
    public async Task<ModelInfo?> TrainAsync(CancellationToken cancellationToken)
    {
        if (!await training.WaitAsync(0, cancellationToken))
        {
            return null;
        }
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<RatingsDbContext>();
            await db.Database.OpenConnectionAsync(cancellationToken);
            if (!await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_lock({TrainingLockKey}) AS \"Value\"").SingleAsync(cancellationToken))
            {
                LogBusyElsewhere();
                return null;
            }
            try
            {
                return await TrainLockedAsync(db, cancellationToken);
            }
            finally
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({TrainingLockKey})", CancellationToken.None);
            }
        }
        finally
        {
            training.Release();
        }
    }

    /// <summary>Serves the newest stored model if it is newer than the one served; true when it swapped.</summary>
    public async Task<bool> LoadNewestAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RatingsDbContext>();
        var servedId = current.Model?.Info.Id ?? 0;
        var stored = await db.StoredModels.AsNoTracking()
            .Where(m => m.Id > servedId && m.Algorithm == TrainedModel.Algorithm)
            .OrderByDescending(m => m.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (stored is null)
        {
            return false;
        }
        var swapped = current.Offer(TrainedModel.Read(stored));
        if (swapped)
        {
            LogLoaded(stored.Id, stored.TrainedAt, stored.RatingCount);
        }
        return swapped;
    }

    private async Task<ModelInfo?> TrainLockedAsync(RatingsDbContext db, CancellationToken cancellationToken)
    {
        using var activity = RatingsTelemetry.Source.StartActivity("recommendations.train");
        var stopwatch = Stopwatch.StartNew();
        var quadruples = new List<(Guid, int, float, int)>();
        await foreach (var r in db.Ratings.AsNoTracking()
            .Where(r => r.Score != null && r.RejectedReason == null)
            .Select(r => new { r.UserId, r.MovieId, r.Score, r.UpdatedAt })
            .AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            quadruples.Add((r.UserId, r.MovieId, (float)r.Score!.Value, RatingDays.Of(r.UpdatedAt)));
        }
        if (quadruples.Count == 0)
        {
            LogNothingToLearn();
            return null;
        }
        var indexed = RatingSet.FromQuadruples(quadruples);
        var ratings = indexed.Ratings;
        // Fewer sweeps past a million ratings, so a training's time stays bounded (docs/recommendations.md).
        var parameters = RecommendationDefaults.Bayesian.WithinBudget(ratings.Count);
        var genres = parameters.Genres ? await GenresAsync(db, indexed.Items, cancellationToken) : null;

        // One core at most: the served fit, then the hold-out check, one after the other on a thread of
        // its own at a lower priority (TrainingThread). Two fits side by side (one per core) took half
        // the time but left a prediction's fold-in waiting for a time slice: the p99 of predictions
        // tripled while a training ran (docs/recommendations.md, "Training beside requests").
        var (model, (rmse, baselineRmse)) = await TrainingThread.Run(
            () => (BayesianFactorization.Fit(ratings, parameters, genres, cancellationToken), HoldOut(ratings, parameters, genres, cancellationToken)),
            cancellationToken);
        var seconds = stopwatch.Elapsed.TotalSeconds;

        var stored = new StoredModel
        {
            TrainedAt = clock.GetUtcNow(),
            Algorithm = TrainedModel.Algorithm,
            RatingCount = ratings.Count,
            UserCount = ratings.UserCount,
            FilmCount = ratings.ItemCount,
            TrainingSeconds = seconds,
            HoldOutRmse = rmse,
            BaselineHoldOutRmse = baselineRmse,
            Data = [],
        };
        var trained = new TrainedModel(TrainedModel.Describe(stored), model, indexed.Items);
        stored.Data = trained.Write();
        db.StoredModels.Add(stored);
        await db.SaveChangesAsync(cancellationToken);
        await db.StoredModels.Where(m => m.Id < stored.Id)
            .OrderByDescending(m => m.Id).Skip(options.Value.KeepModels)
            .ExecuteDeleteAsync(cancellationToken);

        current.Offer(new TrainedModel(TrainedModel.Describe(stored), model, indexed.Items));
        activity?.SetTag("matcha.recommendations.model_id", stored.Id);
        activity?.SetTag("matcha.recommendations.ratings", ratings.Count);
        activity?.SetTag("matcha.recommendations.users", ratings.UserCount);
        activity?.SetTag("matcha.recommendations.films", ratings.ItemCount);
        activity?.SetTag("matcha.recommendations.hold_out_rmse", rmse);
        activity?.SetTag("matcha.recommendations.baseline_hold_out_rmse", baselineRmse);
        LogTrained(stored.Id, ratings.Count, ratings.UserCount, ratings.ItemCount, seconds, rmse, baselineRmse, stored.Data.Length);
        return TrainedModel.Describe(stored);
    }

    /// <summary>Each rated film's genres from Ratings' copy of the catalogue, by the film's index in the ratings (none for a film the copy lacks).</summary>
    private static async Task<FilmFeatures> GenresAsync(RatingsDbContext db, DenseIndex<int> films, CancellationToken cancellationToken)
    {
        var genres = new IEnumerable<string>[films.Count];
        Array.Fill(genres, []);
        await foreach (var film in db.Movies.AsNoTracking().Select(m => new { m.Id, m.Genres })
            .AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (films.IndexOf(film.Id) is var index and >= 0)
            {
                genres[index] = film.Genres;
            }
        }
        return FilmFeatures.FromNames(genres);
    }

    private static (double? Rmse, double? Baseline) HoldOut(RatingSet ratings, BayesianOptions parameters, FilmFeatures? genres, CancellationToken cancellationToken)
    {
        if (ratings.Count < MinimumForHoldOut)
        {
            return (null, null);
        }
        var order = Enumerable.Range(0, ratings.Count).ToArray();
        new Random(7).Shuffle(order);
        var cut = (int)(order.Length * HoldOutShare);
        var test = ratings.Subset(order[..cut]);
        var train = ratings.Subset(order[cut..]);
        // Scored as served: each held-out user folded in from their other ratings, on a day they have not rated.
        var fold = new EvaluationFold(1, train, train, test);
        var served = Scorings.ServedPaths(ModelComparison.Bayesian, BayesianFactorization.Fit(train, parameters, genres, cancellationToken), fold)
            .Single(s => s.Name == ModelComparison.Served);
        var (baseline, _) = Accuracy.Measure(BaselineModel.Fit(train), test);
        return (served.Rmse, baseline);
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Recommendation model {ModelId} trained: {Ratings} ratings, {Users} users, {Films} films in {Seconds:F1} s; hold-out RMSE {Rmse:F4} (baseline {BaselineRmse:F4}); {Bytes} bytes stored")]
    private partial void LogTrained(long modelId, int ratings, int users, int films, double seconds, double? rmse, double? baselineRmse, int bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recommendation model {ModelId} (trained {TrainedAt:o} on {Ratings} ratings) loaded")]
    private partial void LogLoaded(long modelId, DateTimeOffset trainedAt, int ratings);

    [LoggerMessage(Level = LogLevel.Information, Message = "No ratings yet: no recommendation model trained")]
    private partial void LogNothingToLearn();

    [LoggerMessage(Level = LogLevel.Information, Message = "Another replica is training the recommendation model; this one skips")]
    private partial void LogBusyElsewhere();
}
