using Matcha.Recommendations.Model;

namespace Matcha.Tests.Recommendations;

public sealed class LatentFactorModelTests
{
    public static TheoryData<string> Trainers => ["SVD", "SVD++"];

    private static LatentFactorModel Fit(string trainer, RatingSet ratings, LatentFactorOptions? options = null) => trainer switch
    {
        "SVD" => BiasedMatrixFactorization.Fit(ratings, options ?? TasteBlocks.SmallModel),
        _ => SvdPlusPlus.Fit(ratings, options ?? TasteBlocks.SmallModel),
    };

    [Theory]
    [MemberData(nameof(Trainers))]
    public void UserWhoLovesAGenreIsPredictedHigherOnAnUnseenFilmOfIt(string trainer)
    {
        const int unseenFirst = 3, unseenSecond = 14;
        const int fan = 1000;
        var triples = TasteBlocks.Ratings();
        triples.AddRange(TasteBlocks.FirstGenreFan(unseenFirst, unseenSecond).Select(r => (fan, r.Item, r.Score)));
        var data = RatingSet.FromTriples(triples);

        var model = Fit(trainer, data.Ratings);

        var user = data.Users.IndexOf(fan);
        var ofLovedGenre = model.Predict(user, data.Items.IndexOf(unseenFirst));
        var ofOtherGenre = model.Predict(user, data.Items.IndexOf(unseenSecond));
        Assert.True(ofLovedGenre > 4.0f, $"predicted {ofLovedGenre} for the loved genre");
        Assert.True(ofOtherGenre < 2.5f, $"predicted {ofOtherGenre} for the other genre");
    }

    [Theory]
    [MemberData(nameof(Trainers))]
    public void IdenticalUsersGetIdenticalPredictions(string trainer)
    {
        var triples = TasteBlocks.Ratings();
        var twinRatings = TasteBlocks.FirstGenreFan(unseenOfFirst: 2, unseenOfSecond: 12).ToArray();
        triples.AddRange(twinRatings.Select(r => (1000, r.Item, r.Score)));
        triples.AddRange(twinRatings.Select(r => (1001, r.Item, r.Score)));
        var data = RatingSet.FromTriples(triples);
        var model = Fit(trainer, data.Ratings);

        // Trained by SGD from different random starts, the twins agree closely.
        var (first, second) = (data.Users.IndexOf(1000), data.Users.IndexOf(1001));
        for (var item = 0; item < data.Ratings.ItemCount; item++)
        {
            Assert.Equal(model.Predict(first, item), model.Predict(second, item), 0.1f);
        }
    }

    [Theory]
    [MemberData(nameof(Trainers))]
    public void PredictionsStayBetweenHalfAStarAndFiveStars(string trainer)
    {
        // Enthusiasts who give five stars to everything, and their favourite films, push the raw sum past 5.
        var triples = TasteBlocks.Ratings();
        triples.AddRange(Enumerable.Range(0, 20).SelectMany(u => Enumerable.Range(0, 5).Select(f => (2000 + u, f, 5.0f))));
        triples.AddRange(Enumerable.Range(0, 20).SelectMany(u => Enumerable.Range(15, 5).Select(f => (3000 + u, f, 0.5f))));
        var data = RatingSet.FromTriples(triples);
        var model = Fit(trainer, data.Ratings, TasteBlocks.SmallModel with { LearningRate = 0.05f, BiasLearningRate = 0.05f });

        for (var user = -1; user < data.Ratings.UserCount; user++)
        {
            for (var item = -1; item <= data.Ratings.ItemCount; item++)
            {
                Assert.InRange(model.Predict(user, item), RatingScale.Min, RatingScale.Max);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Trainers))]
    public void UnknownUserAndFilmFallBackToTheBiasesThatExist(string trainer)
    {
        var triples = TasteBlocks.Ratings();
        triples.AddRange(Enumerable.Range(0, 30).Select(u => (u, 50, 4.5f)));   // a film everyone loves
        triples.AddRange(Enumerable.Range(0, 30).Select(u => (u, 51, 1.5f)));   // and one everyone dislikes
        var data = RatingSet.FromTriples(triples);
        var model = Fit(trainer, data.Ratings);

        Assert.True(model.Predict(-1, data.Items.IndexOf(50)) > 4.0f);
        Assert.True(model.Predict(-1, data.Items.IndexOf(51)) < 2.0f);
        Assert.Equal(RatingScale.Clip(model.Mean), model.Predict(-1, -1), 0.001f);
    }

    [Theory]
    [MemberData(nameof(Trainers))]
    public void TrainingWithTheSameSeedGivesTheSameModel(string trainer)
    {
        var data = RatingSet.FromTriples(TasteBlocks.Ratings());

        var first = Fit(trainer, data.Ratings);
        var second = Fit(trainer, data.Ratings);

        for (var item = 0; item < data.Ratings.ItemCount; item++)
        {
            Assert.Equal(first.Predict(0, item), second.Predict(0, item));
        }
    }
}
