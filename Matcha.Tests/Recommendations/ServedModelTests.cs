using Matcha.Recommendations.Model;
using Matcha.Ratings.Recommendations.Serving;

namespace Matcha.Tests.Recommendations;

/// <summary>The model as the service serves it: trained with the chosen settings, stored, read back, folded per user.</summary>
public sealed class ServedModelTests
{
    private static TrainedModel Train(List<(int User, int Item, float Score)> triples)
    {
        var data = RatingSet.FromTriples(triples);
        var model = BayesianFactorization.Fit(data.Ratings, RecommendationDefaults.Bayesian);
        var info = new ModelInfo(1, DateTimeOffset.UnixEpoch, TrainedModel.Algorithm, data.Ratings.Count, data.Ratings.UserCount, data.Ratings.ItemCount, 0, null, null);
        return new TrainedModel(info, model, data.Items);
    }

    private static PersonalModel NewUser(TrainedModel trained, params (int Film, float Score)[] ratings)
    {
        var known = ratings.Select(r => (trained.Films.IndexOf(r.Film), r.Score)).Where(r => r.Item1 >= 0).ToList();
        return new PersonalModel(trained, known.Count == 0 ? null : trained.Model.FoldInUser(known), ratings.Select(r => r.Film).ToHashSet(), known.Count);
    }

    [Fact]
    public void AStoredModelReadBackPredictsExactlyAsTheTrainedOne()
    {
        var trained = Train(TasteBlocks.Ratings());
        var stored = new StoredModel { Id = 1, Algorithm = TrainedModel.Algorithm, Data = trained.Write() };

        var read = TrainedModel.Read(stored);

        (int, float)[] ratings = [(0, 5f), (1, 4.5f), (12, 1f), (13, 1.5f)];
        var before = NewUser(trained, ratings);
        var after = NewUser(read, ratings);
        for (var film = 0; film < 2 * TasteBlocks.FilmsPerGenre; film++)
        {
            Assert.Equal(before.Score(film), after.Score(film));
        }
        Assert.Equal(trained.Films.Keys, read.Films.Keys);
    }

    [Fact]
    public void ANewUserWithAHandfulOfRatingsIsPredictedHigherOnTheGenreTheyLoved()
    {
        var trained = Train(TasteBlocks.Ratings());

        // Five films of the first genre loved, five of the second disliked: the other films are unseen.
        var fan = NewUser(trained, [(0, 5f), (1, 4.5f), (2, 5f), (3, 4.5f), (4, 5f), (10, 1f), (11, 1.5f), (12, 1f), (13, 1f), (14, 1.5f)]);

        for (var film = 5; film < TasteBlocks.FilmsPerGenre; film++)
        {
            var (loved, basis) = fan.Score(film);
            var (other, _) = fan.Score(film + TasteBlocks.FilmsPerGenre);
            Assert.Equal(PredictionBasis.Personal, basis);
            Assert.True(loved >= 4.0f && other <= 2.5f, $"film {film}: {loved} for the loved genre, {other} for the other");
        }
    }

    [Fact]
    public void WithoutRatingsThePredictionIsTheFilmsStandingLabelledPopularity()
    {
        var triples = TasteBlocks.Ratings();
        // Film 100 is loved by everyone who saw it, film 101 disliked by everyone.
        triples.AddRange(Enumerable.Range(0, 20).SelectMany(user => new[] { (user, 100, 5f), (user, 101, 1f) }));
        var trained = Train(triples);

        var newcomer = NewUser(trained);

        var loved = newcomer.Predict(100);
        var disliked = newcomer.Predict(101);
        Assert.Equal(PredictionBasis.Popularity, loved.Basis);
        Assert.Equal(PredictionBasis.Popularity, disliked.Basis);
        Assert.True(loved.Predicted >= 4.0 && disliked.Predicted <= 2.0, $"{loved.Predicted} vs {disliked.Predicted}");
    }

    [Fact]
    public void AFilmNewerThanTheModelFallsBackToTheMeanPlusTheUsersBiasLabelledBaseline()
    {
        var trained = Train(TasteBlocks.Ratings());
        var generous = NewUser(trained, [(0, 5f), (1, 5f), (10, 4.5f), (11, 5f)]);
        var harsh = NewUser(trained, [(0, 1.5f), (1, 1f), (10, 0.5f), (11, 1f)]);

        const int newFilm = 999;
        var forGenerous = generous.Predict(newFilm);
        var forHarsh = harsh.Predict(newFilm);

        Assert.Equal(PredictionBasis.Baseline, forGenerous.Basis);
        Assert.Equal(PredictionBasis.Baseline, forHarsh.Basis);
        Assert.True(forGenerous.Predicted > forHarsh.Predicted, $"{forGenerous.Predicted} vs {forHarsh.Predicted}");
        Assert.Equal(0, forGenerous.Predicted * 2 % 1);
    }
}
