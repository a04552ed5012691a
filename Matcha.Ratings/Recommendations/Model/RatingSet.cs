namespace Matcha.Ratings.Recommendations.Model;

/// <summary>
/// Immutable ratings over dense user and item indices: the triples in parallel arrays, plus the
/// same ratings grouped by user (CSR), which SVD++ and fold-in walk user by user.
/// A subset keeps the index space of its parent, so a cross-validation fold's model can be
/// asked about users and items it never saw in training.
/// </summary>
public sealed class RatingSet
{
    private readonly int[] users;
    private readonly int[] items;
    private readonly float[] scores;

    public RatingSet(int userCount, int itemCount, int[] users, int[] items, float[] scores)
    {
        if (users.Length != items.Length || users.Length != scores.Length)
        {
            throw new ArgumentException("Users, items and scores must have the same length.");
        }
        UserCount = userCount;
        ItemCount = itemCount;
        this.users = users;
        this.items = items;
        this.scores = scores;
        (UserStart, ItemsByUser, ScoresByUser) = GroupByUser(userCount, users, items, scores);
        ItemRatingCounts = new int[itemCount];
        foreach (var item in items)
        {
            ItemRatingCounts[item]++;
        }
        Mean = scores.Length == 0 ? 0f : (float)scores.Average(s => (double)s);
    }

    public int UserCount { get; }

    public int ItemCount { get; }

    public int Count => scores.Length;

    public float Mean { get; }

    public ReadOnlySpan<int> Users => users;

    public ReadOnlySpan<int> Items => items;

    public ReadOnlySpan<float> Scores => scores;

    /// <summary>User u's ratings are ItemsByUser[UserStart[u]..UserStart[u + 1]].</summary>
    internal int[] UserStart { get; }

    internal int[] ItemsByUser { get; }

    internal float[] ScoresByUser { get; }

    internal int[] ItemRatingCounts { get; }

    public int RatingCountOfUser(int user) => UserStart[user + 1] - UserStart[user];

    /// <summary>Builds a set from (external user, film id, score) triples, indexing users and films in order of first appearance.</summary>
    public static IndexedRatings<TUser> FromTriples<TUser>(IEnumerable<(TUser User, int Item, float Score)> triples)
        where TUser : notnull
    {
        var userIndex = new DenseIndex<TUser>();
        var itemIndex = new DenseIndex<int>();
        List<int> userIndices = [];
        List<int> itemIndices = [];
        List<float> scores = [];
        foreach (var (user, item, score) in triples)
        {
            userIndices.Add(userIndex.GetOrAdd(user));
            itemIndices.Add(itemIndex.GetOrAdd(item));
            scores.Add(score);
        }
        var ratings = new RatingSet(userIndex.Count, itemIndex.Count, [.. userIndices], [.. itemIndices], [.. scores]);
        return new IndexedRatings<TUser>(ratings, userIndex, itemIndex);
    }

    public RatingSet Subset(IEnumerable<int> rows)
    {
        var picked = rows.ToArray();
        return new RatingSet(
            UserCount, ItemCount,
            [.. picked.Select(r => users[r])], [.. picked.Select(r => items[r])], [.. picked.Select(r => scores[r])]);
    }

    private static (int[] Start, int[] Items, float[] Scores) GroupByUser(int userCount, int[] users, int[] items, float[] scores)
    {
        var start = new int[userCount + 1];
        foreach (var user in users)
        {
            start[user + 1]++;
        }
        for (var u = 0; u < userCount; u++)
        {
            start[u + 1] += start[u];
        }
        var next = start[..^1];
        var groupedItems = new int[items.Length];
        var groupedScores = new float[scores.Length];
        for (var r = 0; r < users.Length; r++)
        {
            var at = next[users[r]]++;
            groupedItems[at] = items[r];
            groupedScores[at] = scores[r];
        }
        return (start, groupedItems, groupedScores);
    }
}
