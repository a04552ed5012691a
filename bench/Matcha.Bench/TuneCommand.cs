using System.Globalization;
using Matcha.Recommendations.Evaluation;
using Matcha.Recommendations.Model;

namespace Matcha.Bench;

/// <summary>
/// The grid search behind <see cref="RecommendationDefaults"/>: every combination is scored by
/// 3-fold cross-validation with a different shuffle seed from <c>evaluate</c>'s, best first.
/// </summary>
internal static class TuneCommand
{
    private const int TuningSeed = 7;
    private static readonly string[] Models = ["SVD", "SVD++"];
    private static readonly int[] FactorCounts = [20, 50];
    private static readonly int[] EpochCounts = [20, 40];
    private static readonly float[] LearningRates = [0.005f, 0.01f];
    private static readonly float[] Regularizations = [0.05f, 0.1f, 0.15f];

    // --wide: SVD++ only, beyond the edge of the first grid, where its best sat (epochs, learning rate).
    private static readonly int[] WideEpochCounts = [40, 60, 80];
    private static readonly float[] WideLearningRates = [0.01f, 0.015f];
    private static readonly float[] WideRegularizations = [0.08f, 0.1f, 0.12f];

    public static int Run(string path, bool wide = false)
    {
        var ratings = MovieLensRatings.Load(path).Ratings;
        var grid = wide
            ? from epochs in WideEpochCounts
              from learningRate in WideLearningRates
              from regularization in WideRegularizations
              select (Model: "SVD++", Options: new LatentFactorOptions
              {
                  Factors = 50, Epochs = epochs, LearningRate = learningRate, BiasLearningRate = learningRate,
                  Regularization = regularization, BiasRegularization = regularization,
              })
            : from model in Models
            from factors in FactorCounts
            from epochs in EpochCounts
            from learningRate in LearningRates
            from regularization in Regularizations
            select (Model: model, Options: new LatentFactorOptions
            {
                Factors = factors, Epochs = epochs, LearningRate = learningRate, BiasLearningRate = learningRate,
                Regularization = regularization, BiasRegularization = regularization,
            });
        var candidates = grid.Select(g => new Candidate(Describe(g.Model, g.Options), Fitter(g.Model, g.Options))).ToArray();
        var results = new CrossValidation(folds: 3, seed: TuningSeed).Run(ratings, candidates);
        foreach (var result in results.OrderBy(r => r.MeanRmse))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Model,-60} RMSE {result.MeanRmse:F4} ± {result.StdRmse:F4}  MAE {result.MeanMae:F4}  fit {result.MeanFitTime.TotalSeconds:F2} s"));
        }
        return 0;
    }

    private static Func<RatingSet, IRatingModel> Fitter(string model, LatentFactorOptions options) =>
        model == "SVD" ? r => BiasedMatrixFactorization.Fit(r, options) : r => SvdPlusPlus.Fit(r, options);

    private static string Describe(string model, LatentFactorOptions o) => string.Create(CultureInfo.InvariantCulture,
        $"{model} factors={o.Factors} epochs={o.Epochs} lr={o.LearningRate} reg={o.Regularization}");
}
