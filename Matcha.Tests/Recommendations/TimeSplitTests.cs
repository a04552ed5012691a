using Matcha.Recommendations.Evaluation;
using Matcha.Recommendations.Model;

namespace Matcha.Tests.Recommendations;

/// <summary>The time-ordered split learns nothing from the future: no rating at or after a held-out user's cut, by anyone.</summary>
public sealed class TimeSplitTests
{
    [Fact]
    public void EachUsersLatestFifthIsHeldOutAndNoModelLearnsFromAnythingRatedAfterACut()
    {
        // 40 users, each rating 10 films at moments spread over a long time, interleaved with the others'.
        var random = new Random(3);
        var rows = Enumerable.Range(0, 40).SelectMany(user => Enumerable.Range(0, 10)
            .Select(film => (User: user, Film: film, Score: 0.5f * random.Next(1, 11), Moment: (long)random.Next(0, 100_000)))).ToList();
        var data = RatingSet.FromTriples(rows.Select(r => (r.User, r.Film, r.Score))).Ratings;
        var moments = rows.Select(r => r.Moment).ToArray();

        var folds = new TimeSplit(heldOutShare: 0.2, checkpoints: 4, minimumTraining: 1).Folds(data, moments);

        Assert.NotEmpty(folds);
        foreach (var fold in folds)
        {
            var heldOutUsers = fold.Test.Users.ToArray().Distinct().ToArray();
            var cuts = heldOutUsers.ToDictionary(u => u, u => Enumerable.Range(0, rows.Count).Where(r => rows[r].User == u)
                .Select(r => moments[r]).Order().ElementAt(8));   // the 9th of 10: the latest fifth is 2 ratings
            // The model learns only from before the earliest cut of the group's users.
            Assert.All(MomentsOf(fold.Train, rows), m => Assert.True(m < cuts.Values.Min(), $"trained on moment {m}"));
            // Each held-out user: their last two ratings held out, the rest known, nothing else of theirs.
            foreach (var user in heldOutUsers)
            {
                Assert.Equal(2, fold.Test.Users.ToArray().Count(u => u == user));
                Assert.Equal(8, fold.Known.RatingCountOfUser(user));
            }
            Assert.All(MomentsOf(fold.Known, rows).Zip(fold.Known.Users.ToArray()), k => Assert.True(k.First < cuts[k.Second]));
        }
        Assert.Equal(40 * 2, folds.Sum(f => f.Test.Count));
    }

    /// <summary>The moments of a subset's ratings, found by (user, film): each user rates each film once here.</summary>
    private static long[] MomentsOf(RatingSet set, List<(int User, int Film, float Score, long Moment)> rows)
    {
        var byPair = rows.ToDictionary(r => (r.User, r.Film), r => r.Moment);
        var (users, items) = (set.Users.ToArray(), set.Items.ToArray());
        return [.. users.Zip(items, (u, i) => byPair[(u, i)])];
    }
}
