using Matcha.Recommendations.Model;

namespace Matcha.Recommendations.Evaluation;

/// <summary>
/// The candidates <c>evaluate</c> and the accuracy test compare, and the names their results carry.
/// In a random split the models that are not served are scored as trained (each held-out user is a
/// training user); in a time split every model is given each user's ratings that are newer than
/// the model by folding them in (<see cref="Scorings.FoldedIn"/>), as the served model is.
/// </summary>
public static class ModelComparison
{
    public const string Bayesian = "Bayesian";

    /// <summary>The served path on a day without ratings, what a user sees before rating: the headline figure.</summary>
    public const string Served = $"{Bayesian} served";

    public const string ServedDayKnown = $"{Bayesian} served, day known";

    public const string Sampled = $"{Bayesian} sampled";

    public const string Baseline = "baseline";

    public const string SvdPlusPlus = "SVD++";

    /// <param name="genres">each film's genres by dense index, used when <see cref="BayesianOptions.Genres"/> is on</param>
    public static IReadOnlyList<Candidate> Candidates(BayesianOptions bayesian, bool timeSplit, bool all = true, FilmFeatures? genres = null)
    {
        var features = bayesian.Genres ? genres ?? throw new ArgumentException("The Bayesian settings use genres, and none were given.", nameof(genres)) : null;
        Scoring others = timeSplit ? Scorings.FoldedIn : Scorings.AsTrained;
        List<Candidate> candidates =
        [
            new("global mean", GlobalMean.Fit),
            new(Baseline, r => BaselineModel.Fit(r), others),
            new("SVD", r => BiasedMatrixFactorization.Fit(r, RecommendationDefaults.Svd), others),
            new(SvdPlusPlus, r => Model.SvdPlusPlus.Fit(r, RecommendationDefaults.SvdPlusPlus), others),
            new(Bayesian, r => BayesianFactorization.Fit(r, bayesian, features), Scorings.ServedPaths),
        ];
        return all ? candidates : [.. candidates.Where(c => c.Name is Baseline or SvdPlusPlus or Bayesian)];
    }
}
