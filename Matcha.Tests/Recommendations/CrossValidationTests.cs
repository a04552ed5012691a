using Matcha.Recommendations.Evaluation;
using Matcha.Recommendations.Model;

namespace Matcha.Tests.Recommendations;

public sealed class CrossValidationTests
{
    [Fact]
    public void EachRatingIsHeldOutInExactlyOneFold()
    {
        // A "model" that remembers what it was trained on and predicts 5 for it, 0.5 otherwise:
        // every held-out rating is then off by exactly (score - 0.5), never by (score - 5).
        var data = RatingSet.FromTriples(Enumerable.Range(0, 103).Select(r => (r, r % 7, 5.0f))).Ratings;

        var results = new CrossValidation(folds: 4, seed: 9).Run(data, [new Candidate("memory", train => new Memory(train))]);

        var folds = Assert.Single(results).Folds;
        Assert.Equal(4, folds.Count);
        Assert.All(folds, f => Assert.Equal(4.5, f.Mae, 6));
    }

    private sealed class Memory(RatingSet train) : IRatingModel
    {
        private readonly HashSet<int> users = [.. train.Users.ToArray()];

        public float Predict(int user, int item) => users.Contains(user) ? 5.0f : 0.5f;
    }
}
