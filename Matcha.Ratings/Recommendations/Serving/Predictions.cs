using System.Data.Common;
using Matcha.Data;
using Matcha.Ratings.Data;
using Matcha.Recommendations.Model;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace Matcha.Ratings.Recommendations.Serving;

/// <summary>What a predicted rating is based on.</summary>
public enum PredictionBasis
{
    /// <summary>The user's own ratings, folded into the trained model.</summary>
    Personal,

    /// <summary>The user has no ratings yet: the film's standing with everyone (μ + b_i).</summary>
    Popularity,

    /// <summary>The film is newer than the model (no ratings when it was trained): the mean plus the user's own bias (μ + b_u).</summary>
    Baseline,
}

/// <summary>A predicted rating as clients see it: half stars from 0.5 to 5.0, and how many of the caller's ratings it rests on.</summary>
public sealed record Prediction(int MovieId, double Predicted, PredictionBasis Basis, int RatingCount);

/// <summary>
/// One user's view of the served model: their factors re-fitted from their ratings as they are
/// now, so a rating changed a moment ago — on any replica — already counts.
/// </summary>
public sealed class PersonalModel(TrainedModel trained, FoldedUser? folded, IReadOnlySet<int> rated, int ratingCount)
{
    public TrainedModel Trained { get; } = trained;

    /// <summary>The films the user has rated (ratings that count).</summary>
    public IReadOnlySet<int> Rated { get; } = rated;

    /// <summary>The user's ratings the personal part rests on, films newer than the model included (they count for the bias); 0 without a fit.</summary>
    public int RatingCount { get; } = folded is null ? 0 : ratingCount;

    /// <summary>
    /// The cached fold-in this view was made from, compared by identity: the same object while the
    /// user's ratings, the day and the model are unchanged, so what is derived from it (top picks)
    /// can be kept with it. Null for a view not made by <see cref="PersonalModels"/>.
    /// </summary>
    public object? Fit { get; init; }

    /// <summary>The unrounded prediction, for ranking, and its basis.</summary>
    public (float Score, PredictionBasis Basis) Score(int movieId)
    {
        // The score is BayesianModel.PredictServed's, the path evaluate measures; the basis says which case it was.
        var film = Trained.Films.IndexOf(movieId);
        var basis = film < 0 ? PredictionBasis.Baseline : folded is null ? PredictionBasis.Popularity : PredictionBasis.Personal;
        return (Trained.Model.PredictServed(folded, film), basis);
    }

    public Prediction Predict(int movieId)
    {
        var (score, basis) = Score(movieId);
        return new Prediction(movieId, RatingScale.ToHalfStars(score), basis, RatingCount);
    }
}

/// <summary>
/// Builds <see cref="PersonalModel"/>s. The user's ratings are read on every request (one indexed
/// query), and the fold-in is cached with exactly the ratings (and days) it was fitted to and the
/// day it was fitted for: a cached fit is used only while those are still the user's ratings and
/// it is still that day, so nothing needs invalidating and a rating changed a moment ago — on any
/// replica — counts on the next request.
/// </summary>
public sealed class PersonalModels(CurrentModel current, IMemoryCache cache, TimeProvider clock)
{
    private static readonly TimeSpan FoldInLifetime = TimeSpan.FromMinutes(5);

    private sealed record Fit((int MovieId, decimal Score, int Day)[] Ratings, int Today, FoldedUser? User, int RatingCount);

    public async Task<PersonalModel?> ForUserAsync(Guid userId, RatingsDbContext db, CancellationToken cancellationToken) =>
        current.Model is null ? null : ForUser(userId, await ScoresAsync(userId, db, cancellationToken));

    /// <summary>The user's ratings that count (scored, not rejected), by film id: what a fold-in is fitted to.</summary>
    public static Task<UserScore[]> ScoresAsync(Guid userId, RatingsDbContext db, CancellationToken cancellationToken) =>
        db.ReadBatchAsync(reader => ReadScoresAsync(reader, cancellationToken), cancellationToken, ScoresCommand(userId));

    /// <summary>The read of <see cref="ScoresAsync"/> as a command of the caller's batch, to go with its other reads in one round trip.</summary>
    public static NpgsqlBatchCommand ScoresCommand(Guid userId) => Statements.Command("""
        SELECT movie_id, score, updated_at FROM ratings
        WHERE user_id = $1 AND score IS NOT NULL AND rejected_reason IS NULL
        ORDER BY movie_id
        """, userId);

    /// <summary>The rows of <see cref="ScoresCommand"/>, the reader standing at its result.</summary>
    public static async Task<UserScore[]> ReadScoresAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        var scores = new List<UserScore>();
        while (await reader.ReadAsync(cancellationToken))
        {
            scores.Add(new UserScore(reader.GetInt32(0), reader.GetDecimal(1), reader.GetFieldValue<DateTimeOffset>(2)));
        }
        return [.. scores];
    }

    /// <summary>The user's model from ratings already read with <see cref="ScoresAsync"/>; null before a model is trained.</summary>
    public PersonalModel? ForUser(Guid userId, UserScore[] scores)
    {
        if (current.Model is not { } trained)
        {
            return null;
        }
        var ratings = scores.Select(r => (r.MovieId, r.Score, Day: RatingDays.Of(r.UpdatedAt))).ToArray();
        var today = RatingDays.Of(clock.GetUtcNow());

        var key = (userId, trained.Info.Id);
        if (!cache.TryGetValue(key, out Fit? fit) || fit!.Today != today || !fit.Ratings.AsSpan().SequenceEqual(ratings))
        {
            // Films newer than the model (index −1) count for the user's bias only.
            var known = ratings
                .Select(r => (Item: trained.Films.IndexOf(r.MovieId), Score: (float)r.Score, Day: (int?)r.Day))
                .ToList();
            // Without a rating of any film the model knows there is nothing personal to fit.
            var personal = known.Any(r => r.Item >= 0);
            fit = new Fit(ratings, today, personal ? trained.Model.FoldInUser(known, today) : null, known.Count);
            cache.Set(key, fit, new MemoryCacheEntryOptions { SlidingExpiration = FoldInLifetime });
        }
        return new PersonalModel(trained, fit.User, ratings.Select(r => r.MovieId).ToHashSet(), fit.RatingCount) { Fit = fit };
    }
}

/// <summary>One of a user's ratings that counts, as a fold-in reads it.</summary>
public readonly record struct UserScore(int MovieId, decimal Score, DateTimeOffset UpdatedAt);
