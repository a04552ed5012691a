using Matcha.Recommendations.Model;

namespace Matcha.Tests.Recommendations;

/// <summary>The served model on hand-made rating sets where the answer is known.</summary>
public sealed class BayesianModelTests
{
    // Fewer sweeps than served: these worlds are tiny and the chain settles at once. Day shifts on
    // (the served model leaves them out), for the tests of what they do.
    private static readonly BayesianOptions Small = new() { Factors = 4, Iterations = 200, BurnIn = 50, KeptSamples = 16, Seed = 3, DayShifts = true };

    [Fact]
    public void UserWhoLovesAGenreIsPredictedHigherOnAnUnseenFilmOfIt()
    {
        const int unseenFirst = 3, unseenSecond = 14, fan = 1000;
        var triples = TasteBlocks.Ratings();
        triples.AddRange(TasteBlocks.FirstGenreFan(unseenFirst, unseenSecond).Select(r => (fan, r.Item, r.Score)));
        var data = RatingSet.FromTriples(triples);

        var model = BayesianFactorization.Fit(data.Ratings, Small);

        var user = data.Users.IndexOf(fan);
        var ofLovedGenre = model.Predict(user, data.Items.IndexOf(unseenFirst));
        var ofOtherGenre = model.Predict(user, data.Items.IndexOf(unseenSecond));
        Assert.True(ofLovedGenre > 4.0f, $"predicted {ofLovedGenre} for the loved genre");
        Assert.True(ofOtherGenre < 2.5f, $"predicted {ofOtherGenre} for the other genre");
    }

    [Fact]
    public void FilmsWithOneRatingArePredictedAsTheirGenreSaysWhenGenresAreLearned()
    {
        // Films 20–24 (first genre) and 25–29 (second) have one rating each, the same 3.0 by the same
        // user, who rated nothing else: only their genres tell them apart.
        int[] ofFirst = [20, 21, 22, 23, 24], ofSecond = [25, 26, 27, 28, 29];
        var triples = TasteBlocks.Ratings();
        triples.AddRange(ofFirst.Concat(ofSecond).Select(film => (500, film, 3.0f)));
        var data = RatingSet.FromTriples(triples);
        var genres = FilmFeatures.FromNames([.. data.Items.Keys.Select(film =>
            (IEnumerable<string>)[film < TasteBlocks.FilmsPerGenre || ofFirst.Contains(film) ? "first" : "second"])]);
        var fan = TasteBlocks.FirstGenreFan(unseenOfFirst: 3, unseenOfSecond: 14).ToArray();

        double Preference(FilmFeatures? features)
        {
            var model = BayesianFactorization.Fit(data.Ratings, Small, features);
            var user = model.FoldInUser(fan);
            double Mean(int[] films) => films.Average(film => model.Predict(user, data.Items.IndexOf(film)));
            return Mean(ofFirst) - Mean(ofSecond);
        }

        var withGenres = Preference(genres);
        var without = Preference(null);
        Assert.True(withGenres > 0.5, $"the fan prefers the first genre's new films by {withGenres:F2} with genres");
        Assert.True(Math.Abs(without) < withGenres / 4, $"without genres by {without:F2}, with them by {withGenres:F2}");
    }

    [Fact]
    public void IdenticalUsersGetIdenticalPredictions()
    {
        var triples = TasteBlocks.Ratings();
        var twinRatings = TasteBlocks.FirstGenreFan(unseenOfFirst: 2, unseenOfSecond: 12).ToArray();
        triples.AddRange(twinRatings.Select(r => (1000, r.Item, r.Score)));
        triples.AddRange(twinRatings.Select(r => (1001, r.Item, r.Score)));
        var data = RatingSet.FromTriples(triples);
        var model = BayesianFactorization.Fit(data.Ratings, Small);

        // Sampled separately, the twins agree closely; folded in against the same film side, exactly.
        var (first, second) = (data.Users.IndexOf(1000), data.Users.IndexOf(1001));
        var firstFolded = model.FoldInUser(twinRatings);
        var secondFolded = model.FoldInUser(twinRatings);
        for (var item = 0; item < data.Ratings.ItemCount; item++)
        {
            Assert.Equal(model.Predict(first, item), model.Predict(second, item), 0.25f);
            Assert.Equal(model.Predict(firstFolded, item), model.Predict(secondFolded, item));
        }
    }

    [Fact]
    public void FoldInMovesAPredictionTowardANewRating()
    {
        var data = RatingSet.FromTriples(TasteBlocks.Ratings());
        var model = BayesianFactorization.Fit(data.Ratings, Small);
        var film = data.Items.IndexOf(5);
        (int Item, float Score)[] fewRatings = [(0, 4.0f), (11, 3.0f), (17, 2.5f)];
        var before = model.Predict(model.FoldInUser(fewRatings), film);

        var afterLoving = model.Predict(model.FoldInUser([.. fewRatings, (film, 5.0f)]), film);
        var afterHating = model.Predict(model.FoldInUser([.. fewRatings, (film, 0.5f)]), film);

        Assert.True(afterLoving > before + 0.2f, $"{before} → {afterLoving} after a 5.0");
        Assert.True(afterHating < before - 0.2f, $"{before} → {afterHating} after a 0.5");
    }

    [Fact]
    public void AFoldedInNewUserGetsTheTasteOfTheirGenre()
    {
        var data = RatingSet.FromTriples(TasteBlocks.Ratings());
        var model = BayesianFactorization.Fit(data.Ratings, Small);

        var newcomer = model.FoldInUser([(0, 5.0f), (1, 4.5f), (10, 1.0f), (11, 1.5f)]);

        Assert.True(model.Predict(newcomer, 7) > model.Predict(newcomer, 17) + 1.0f);
    }

    [Fact]
    public void ADayOfHarshRatingsLowersThatDaysPredictionsButNotAnotherDays()
    {
        // Everyone rates on day 100; the newcomer rated the first genre as a fan on day 1 and is
        // far harsher with two more films of it today (day 2).
        var data = RatingSet.FromQuadruples(TasteBlocks.Ratings().Select(r => (r.User, r.Item, r.Score, Day: 100)));
        var model = BayesianFactorization.Fit(data.Ratings, Small);
        (int Item, float Score, int? Day)[] ratings =
            [(0, 5f, 1), (1, 4.5f, 1), (2, 5f, 1), (10, 1f, 1), (11, 1.5f, 1), (3, 2f, 2), (4, 2f, 2)];

        var today = model.Predict(model.FoldInUser(ratings, today: 2), 7);
        var tomorrow = model.Predict(model.FoldInUser(ratings, today: 3), 7);

        Assert.True(today < tomorrow - 0.2f, $"today {today}, on a fresh day {tomorrow}");
    }

    [Fact]
    public void CrossValidationPredictsATrainingUsersRatingWithThatDaysShift()
    {
        // The same tastes, but user 0 is a point more generous on day 2 than on day 1.
        var quadruples = TasteBlocks.Ratings().Select(r => (r.User, r.Item, r.Score, Day: 1)).ToList();
        quadruples.AddRange(Enumerable.Range(0, 2 * TasteBlocks.FilmsPerGenre)
            .Select(film => (User: 1000, Item: film, Score: Math.Min(5f, (film < TasteBlocks.FilmsPerGenre ? 4f : 1f) + (film % 2 == 0 ? 1f : 0f)), Day: film % 2 == 0 ? 2 : 1)));
        var data = RatingSet.FromQuadruples(quadruples);
        var model = BayesianFactorization.Fit(data.Ratings, Small);

        var user = data.Users.IndexOf(1000);
        var film = data.Items.IndexOf(12);
        Assert.True(model.Predict(user, film, day: 2) > model.Predict(user, film, day: 1) + 0.4f,
            $"day 2: {model.Predict(user, film, day: 2)}, day 1: {model.Predict(user, film, day: 1)}");
    }

    [Fact]
    public void PredictionsStayBetweenHalfAStarAndFiveStars()
    {
        var triples = TasteBlocks.Ratings();
        triples.AddRange(Enumerable.Range(0, 20).SelectMany(u => Enumerable.Range(0, 5).Select(f => (2000 + u, f, 5.0f))));
        triples.AddRange(Enumerable.Range(0, 20).SelectMany(u => Enumerable.Range(15, 5).Select(f => (3000 + u, f, 0.5f))));
        var data = RatingSet.FromTriples(triples);
        var model = BayesianFactorization.Fit(data.Ratings, Small);

        for (var user = -1; user < data.Ratings.UserCount; user++)
        {
            for (var item = -1; item <= data.Ratings.ItemCount; item++)
            {
                Assert.InRange(model.Predict(user, item), RatingScale.Min, RatingScale.Max);
            }
        }
    }

    [Fact]
    public void UnknownUserAndFilmFallBackToTheTermsThatExist()
    {
        var triples = TasteBlocks.Ratings();
        triples.AddRange(Enumerable.Range(0, 30).Select(u => (u, 50, 4.5f)));   // a film everyone loves
        triples.AddRange(Enumerable.Range(0, 30).Select(u => (u, 51, 1.5f)));   // and one everyone dislikes
        var data = RatingSet.FromTriples(triples);
        var model = BayesianFactorization.Fit(data.Ratings, Small);

        Assert.True(model.Predict(-1, data.Items.IndexOf(50)) > 4.0f);
        Assert.True(model.Predict(-1, data.Items.IndexOf(51)) < 2.0f);
        Assert.Equal(RatingScale.Clip(model.Mean), model.Predict(-1, -1), 0.001f);
    }

    [Fact]
    public void SamplingWithTheSameSeedGivesTheSameModel()
    {
        var data = RatingSet.FromTriples(TasteBlocks.Ratings());

        var first = BayesianFactorization.Fit(data.Ratings, Small);
        var second = BayesianFactorization.Fit(data.Ratings, Small);
        var reseeded = BayesianFactorization.Fit(data.Ratings, Small with { Seed = 4 });

        for (var item = 0; item < data.Ratings.ItemCount; item++)
        {
            Assert.Equal(first.Predict(0, item), second.Predict(0, item));
        }
        Assert.Contains(Enumerable.Range(0, data.Ratings.ItemCount), item => first.Predict(0, item) != reseeded.Predict(0, item));
    }

    [Fact]
    public void TheSamplesKeptAreTheOnesAskedFor()
    {
        var data = RatingSet.FromTriples(TasteBlocks.Ratings());

        var model = BayesianFactorization.Fit(data.Ratings, Small with { Iterations = 60, BurnIn = 20, KeptSamples = 8 });

        Assert.Equal(8, model.Samples);
    }

    [Fact]
    public void PastAMillionRatingsTrainingSamplesFewerSweepsSoItsCostStaysBounded()
    {
        var served = RecommendationDefaults.Bayesian;

        var small = served.WithinBudget(100_836);
        var large = served.WithinBudget(5_000_000);

        Assert.Equal(served, small);
        Assert.Equal(served, served.WithinBudget(1_000_000));
        Assert.Equal(120, large.Iterations);
        Assert.Equal(20, large.BurnIn);
        Assert.Equal(served.KeptSamples, large.KeptSamples);
        Assert.True(5_000_000L * large.Iterations <= served.RatingSweepBudget);
    }
}
