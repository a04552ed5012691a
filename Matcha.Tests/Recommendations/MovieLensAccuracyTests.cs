using Matcha.Recommendations.Evaluation;
using Matcha.Recommendations.Model;

namespace Matcha.Tests.Recommendations;

/// <summary>The accuracy measurement, on ml-latest-small with 5 folds, as bench <c>evaluate</c> runs it.</summary>
/// <remarks>A few minutes of CPU: more than `./eng/test.sh --fast` can spend, so it runs in the whole suite only.</remarks>
[Trait("Category", "Slow")]
public sealed class MovieLensAccuracyTests
{
    [Fact]
    public void TheServedFoldInOnADayWithoutRatingsBeatsSvdPlusPlusAndIsWithin95PercentOfTheBaselinesErrorOnMlLatestSmall()
    {
        var folder = MovieLensData.SmallFolder();
        var (ratings, _, films) = MovieLensRatings.Load(folder);
        var genres = MovieLensRatings.LoadGenres(folder, films);

        // What users get: each held-out user folded in from their training ratings only, predicted on
        // a day they have not rated (a prediction is seen before the rating it predicts).
        var results = new CrossValidation(folds: 5).Run(ratings, ModelComparison.Candidates(RecommendationDefaults.Bayesian, timeSplit: false, all: false, genres));

        double Rmse(string model) => results.Single(r => r.Model == model).MeanRmse;
        var (baseline, svdPlusPlus, served) = (Rmse(ModelComparison.Baseline), Rmse(ModelComparison.SvdPlusPlus), Rmse(ModelComparison.Served));
        Assert.InRange(baseline, 0.86, 0.885);   // the published BaselineOnly figure is about 0.873
        Assert.True(svdPlusPlus <= 0.99 * baseline, $"SVD++ RMSE {svdPlusPlus:F4} vs baseline {baseline:F4}");
        Assert.True(served < svdPlusPlus, $"served path RMSE {served:F4} vs SVD++ {svdPlusPlus:F4}");
        // The target. Measured 0.943 × baseline with genres and 64 samples, settings chosen on
        // the seed-7 folds, not on these (docs/recommendations.md, model selection).
        Assert.True(served <= 0.95 * baseline, $"served path RMSE {served:F4} vs baseline {baseline:F4}: {served / baseline:F4}");
    }
}
