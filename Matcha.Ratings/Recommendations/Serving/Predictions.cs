using Matcha.Ratings.Data;
using Matcha.Ratings.Recommendations.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

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

/// <summary>A predicted rating as clients see it: half stars from 0.5 to 5.0.</summary>
public sealed record Prediction(int MovieId, double Predicted, PredictionBasis Basis);

/// <summary>
/// One user's view of the served model: their factors re-fitted from their ratings as they are
/// now, so a rating changed a moment ago — on any replica — already counts.
/// </summary>
public sealed class PersonalModel(TrainedModel trained, FoldedUser? folded, IReadOnlySet<int> rated)
{
    public TrainedModel Trained { get; } = trained;

    /// <summary>The films the user has rated (ratings that count).</summary>
    public IReadOnlySet<int> Rated { get; } = rated;

    /// <summary>The unrounded prediction, for ranking, and its basis.</summary>
    public (float Score, PredictionBasis Basis) Score(int movieId)
    {
        var model = Trained.Model;
        var film = Trained.Films.IndexOf(movieId);
        if (folded is null)
        {
            return film >= 0 ? (model.ItemBaseline(film), PredictionBasis.Popularity) : (RatingScale.Clip(model.Mean), PredictionBasis.Baseline);
        }
        return film >= 0
            ? (model.Predict(folded, film), PredictionBasis.Personal)
            : (RatingScale.Clip(model.Mean + folded.Bias), PredictionBasis.Baseline);
    }

    public Prediction Predict(int movieId)
    {
        var (score, basis) = Score(movieId);
        return new Prediction(movieId, RatingScale.ToHalfStars(score), basis);
    }
}

/// <summary>
/// Builds <see cref="PersonalModel"/>s. The user's ratings are read on every request (one indexed
/// query) and the fold-in is cached under the model and exactly those ratings, so nothing needs
/// invalidating: a changed rating is a different key. That keeps replicas consistent for free.
/// </summary>
public sealed class PersonalModels(CurrentModel current, IMemoryCache cache)
{
    private static readonly TimeSpan FoldInLifetime = TimeSpan.FromMinutes(5);

    public async Task<PersonalModel?> ForUserAsync(Guid userId, RatingsDbContext db, CancellationToken cancellationToken)
    {
        if (current.Model is not { } trained)
        {
            return null;
        }
        var ratings = await db.Ratings.AsNoTracking()
            .Where(r => r.UserId == userId && r.Score != null && r.RejectedReason == null)
            .OrderBy(r => r.MovieId)
            .Select(r => new { r.MovieId, Score = r.Score!.Value })
            .ToListAsync(cancellationToken);

        var fingerprint = new HashCode();
        foreach (var rating in ratings)
        {
            fingerprint.Add(rating.MovieId);
            fingerprint.Add(rating.Score);
        }
        var key = (userId, trained.Info.Id, ratings.Count, fingerprint.ToHashCode());
        var folded = await cache.GetOrCreateAsync(key, entry =>
        {
            entry.SlidingExpiration = FoldInLifetime;
            var known = ratings
                .Select(r => (Item: trained.Films.IndexOf(r.MovieId), Score: (float)r.Score))
                .Where(r => r.Item >= 0)
                .ToList();
            // Without a rating of any film the model knows there is nothing personal to fit.
            return Task.FromResult(known.Count == 0 ? null : trained.Model.FoldInUser(known));
        });
        return new PersonalModel(trained, folded, ratings.Select(r => r.MovieId).ToHashSet());
    }
}
