using Matcha.Recommendations.Evaluation;
using Matcha.Recommendations.Model;

namespace Matcha.Tests.Recommendations;

public sealed class MovieLensRatingsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("matcha-movielens-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void ReadsMlLatestRatingsCsv()
    {
        File.WriteAllText(Path.Combine(folder, "ratings.csv"), """
            userId,movieId,rating,timestamp
            1,31,2.5,1260759144
            1,1029,3.0,1260759179
            7,31,4.5,1260759185

            """);

        var data = MovieLensRatings.Load(folder);

        AssertThreeRatings(data, firstScore: 2.5f, lastScore: 4.5f);
        // 1260759144 s after 1970-01-01 is 2009-12-14 (UTC): day 14,592.
        Assert.Equal([14592, 14592, 14592], data.Ratings.Days.ToArray());
    }

    [Fact]
    public void AFileWithoutTimestampsLoadsWithoutDays()
    {
        var file = Path.Combine(folder, "u.data");
        File.WriteAllText(file, "1\t31\t2\n1\t1029\t3\n7\t31\t5\n");

        var data = MovieLensRatings.Load(file);

        AssertThreeRatings(data, firstScore: 2f, lastScore: 5f);
        Assert.False(data.Ratings.HasDays);
    }

    [Fact]
    public void ReadsMl100kUData()
    {
        var file = Path.Combine(folder, "u.data");
        File.WriteAllText(file, "1\t31\t2\t881250949\n1\t1029\t3\t891717742\n7\t31\t5\t878887116\n");

        AssertThreeRatings(MovieLensRatings.Load(file), firstScore: 2f, lastScore: 5f);
        AssertThreeRatings(MovieLensRatings.Load(folder), firstScore: 2f, lastScore: 5f);
        Assert.Equal(881250949 / 86400, MovieLensRatings.Load(file).Ratings.Days[0]);
    }

    private static void AssertThreeRatings(IndexedRatings<int> data, float firstScore, float lastScore)
    {
        Assert.Equal(3, data.Ratings.Count);
        Assert.Equal([1, 7], data.Users.Keys);
        Assert.Equal([31, 1029], data.Items.Keys);
        Assert.Equal(data.Users.IndexOf(7), data.Ratings.Users[2]);
        Assert.Equal(data.Items.IndexOf(31), data.Ratings.Items[2]);
        Assert.Equal(firstScore, data.Ratings.Scores[0]);
        Assert.Equal(lastScore, data.Ratings.Scores[2]);
        Assert.Equal(-1, data.Users.IndexOf(99));
    }
}
