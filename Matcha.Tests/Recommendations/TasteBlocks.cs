using Matcha.Recommendations.Model;

namespace Matcha.Tests.Recommendations;

/// <summary>
/// A hand-made world with two genres of ten films each (films 0–9 and 10–19). Half the users love
/// the first genre and dislike the second, half the reverse, so every film has the same average:
/// only a model that learns tastes can tell which unseen film a user will like.
/// </summary>
internal static class TasteBlocks
{
    public const int FilmsPerGenre = 10;

    public static readonly LatentFactorOptions SmallModel = new()
    {
        Factors = 4, Epochs = 200, LearningRate = 0.01f, BiasLearningRate = 0.01f, Regularization = 0.02f, Seed = 3,
    };

    public static List<(int User, int Item, float Score)> Ratings(int usersPerGenre = 15, int seed = 1)
    {
        var random = new Random(seed);
        List<(int, int, float)> ratings = [];
        for (var user = 0; user < 2 * usersPerGenre; user++)
        {
            var lovedGenre = user % 2;
            for (var film = 0; film < 2 * FilmsPerGenre; film++)
            {
                var loved = film / FilmsPerGenre == lovedGenre;
                var score = loved ? 4.5f + 0.5f * random.Next(2) : 1.0f + 0.5f * random.Next(2);
                ratings.Add((user, film, score));
            }
        }
        return ratings;
    }

    /// <summary>The ratings of a user who loves the first genre, leaving out one film of each genre.</summary>
    public static IEnumerable<(int Item, float Score)> FirstGenreFan(int unseenOfFirst, int unseenOfSecond) =>
        Enumerable.Range(0, 2 * FilmsPerGenre)
            .Where(film => film != unseenOfFirst && film != unseenOfSecond)
            .Select(film => (film, film < FilmsPerGenre ? 5.0f : 1.0f));
}
