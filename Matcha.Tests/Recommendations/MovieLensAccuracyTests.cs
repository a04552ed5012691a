using Matcha.Recommendations.Evaluation;
using Matcha.Recommendations.Model;

namespace Matcha.Tests.Recommendations;

/// <summary>The accuracy measurement, on ml-latest-small with 5 folds, as bench <c>evaluate</c> runs it.</summary>
/// <remarks>About 45 s of CPU: more than `./eng/test.sh --fast` can spend in its two minutes, so it runs in the whole suite only.</remarks>
[Trait("Category", "Slow")]
public sealed class MovieLensAccuracyTests
{
    [Fact]
    public void TheServedModelIsAtMost95PercentOfTheBaselinesErrorOnMlLatestSmall()
    {
        var ratings = MovieLensRatings.Load(MovieLensData.SmallFolder()).Ratings;

        var results = new CrossValidation(folds: 5).Run(ratings,
        [
            new Candidate("baseline", r => BaselineModel.Fit(r)),
            new Candidate("SVD++", r => SvdPlusPlus.Fit(r, RecommendationDefaults.SvdPlusPlus)),
            new Candidate("Bayesian", r => BayesianFactorization.Fit(r, RecommendationDefaults.Bayesian)),
        ]);

        var (baseline, svdPlusPlus, served) = (results[0].MeanRmse, results[1].MeanRmse, results[2].MeanRmse);
        Assert.InRange(baseline, 0.86, 0.885);   // the published BaselineOnly figure is about 0.873
        Assert.True(svdPlusPlus <= 0.99 * baseline, $"SVD++ RMSE {svdPlusPlus:F4} vs baseline {baseline:F4}");
        // The target. Measured: 0.8253 / 0.8726 = 0.946 (docs/recommendations.md).
        Assert.True(served <= 0.95 * baseline, $"served model RMSE {served:F4} vs baseline {baseline:F4}: {served / baseline:F4}");
    }
}
