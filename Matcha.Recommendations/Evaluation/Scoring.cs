using Matcha.Recommendations.Model;

namespace Matcha.Recommendations.Evaluation;

/// <summary>How a trained model is scored on a fold: one or more named ways of predicting the held-out ratings.</summary>
public delegate IReadOnlyList<PathScore> Scoring(string name, IRatingModel model, EvaluationFold fold);

/// <summary>The ways of scoring that <c>evaluate</c> uses.</summary>
public static class Scorings
{
    /// <summary>The model's own parameters for each held-out (user, film, day).</summary>
    public static IReadOnlyList<PathScore> AsTrained(string name, IRatingModel model, EvaluationFold fold) =>
        [Accuracy.Measure(name, model, fold.Test)];

    /// <summary>
    /// Each held-out user fitted afresh from their known ratings against the trained film side:
    /// the baseline's bias, SVD's and SVD++'s ridge fold-in; other models as trained. This is how
    /// the models that are not served are given a user's ratings that are newer than the model.
    /// </summary>
    public static IReadOnlyList<PathScore> FoldedIn(string name, IRatingModel model, EvaluationFold fold)
    {
        var errors = new ErrorSum(name);
        foreach (var (user, rows) in HeldOutByUser(fold.Test))
        {
            var known = Known(fold, user).Select(r => (r.Item, r.Score)).ToArray();
            Func<int, float> predict = model switch
            {
                BaselineModel baseline when baseline.FoldInUserBias(known) is var bias => item => baseline.Predict(bias, item),
                LatentFactorModel latent when latent.FoldInUser(known) is var folded => item => latent.Predict(folded, item),
                _ => item => model.Predict(user, item),
            };
            foreach (var row in rows)
            {
                errors.Add(fold.Test.Scores[row], predict(fold.Test.Items[row]));
            }
        }
        return [errors.Score()];
    }

    /// <summary>
    /// The Bayesian model three ways: "sampled", the sampler's own draws of each training user
    /// with the held-out rating's day shift (what cross-validation used to report); and as Ratings
    /// serves it, each held-out user folded in from their known ratings only
    /// (<see cref="BayesianModel.FitUser"/>, <see cref="BayesianModel.PredictServed"/>), "served,
    /// day known" with the held-out day's shift and "served" on a day they did not rate, as a user
    /// sees a prediction before rating.
    /// </summary>
    public static IReadOnlyList<PathScore> ServedPaths(string name, IRatingModel model, EvaluationFold fold)
    {
        var bayesian = (BayesianModel)model;
        var (dayKnown, dayUnknown) = (new ErrorSum($"{name} served, day known"), new ErrorSum($"{name} served"));
        var test = fold.Test;
        foreach (var (user, rows) in HeldOutByUser(test))
        {
            var known = Known(fold, user);
            // As served: no rating of a film the model knows, nothing personal (the films' standing).
            var fit = known.Any(r => fold.Train.ItemRatingCounts[r.Item] > 0) ? bayesian.FitUser(known) : null;
            // The day after their last known rating: one they have not rated on.
            var unrated = fit?.On(known.All(r => r.Day.HasValue) ? known.Max(r => r.Day) + 1 : null);
            foreach (var row in rows)
            {
                var (item, score) = (test.Items[row], test.Scores[row]);
                dayKnown.Add(score, bayesian.PredictServed(fit?.On(test.HasDays ? test.Days[row] : null), item));
                dayUnknown.Add(score, bayesian.PredictServed(unrated, item));
            }
        }
        return [Accuracy.Measure($"{name} sampled", model, test), dayKnown.Score(), dayUnknown.Score()];
    }

    /// <summary>
    /// A user's known ratings, as serving folds them in: those of films without training ratings
    /// have no term and no vector in the model, so they count for the user's bias only, as a film
    /// newer than the served model does.
    /// </summary>
    private static (int Item, float Score, int? Day)[] Known(EvaluationFold fold, int user)
    {
        var known = fold.Known;
        var result = new List<(int, float, int?)>();
        for (var r = known.UserStart[user]; r < known.UserStart[user + 1]; r++)
        {
            result.Add((known.ItemsByUser[r], known.ScoresByUser[r], known.DaysByUser?[r]));
        }
        return [.. result];
    }

    private static IEnumerable<(int User, List<int> Rows)> HeldOutByUser(RatingSet test)
    {
        var byUser = new Dictionary<int, List<int>>();
        for (var r = 0; r < test.Count; r++)
        {
            var user = test.Users[r];
            if (!byUser.TryGetValue(user, out var rows))
            {
                byUser[user] = rows = [];
            }
            rows.Add(r);
        }
        return byUser.Select(p => (p.Key, p.Value));
    }
}
