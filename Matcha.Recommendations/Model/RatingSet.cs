namespace Matcha.Recommendations.Model;

/// <summary>
/// Immutable ratings over dense user and item indices: the triples in parallel arrays, plus the
/// same ratings grouped by user (CSR), which SVD++ and fold-in walk user by user.
/// A subset keeps the index space of its parent, so a cross-validation fold's model can be
/// asked about users and items it never saw in training. Each rating may carry the day it was
/// given (days since 1970-01-01, UTC), which the Bayesian model uses for each user's day-to-day
/// shifts of scale.
/// </summary>
public sealed class RatingSet
{
    private readonly int[] users;
    private readonly int[] items;
    private readonly float[] scores;
    private readonly int[]? days;

    public RatingSet(int userCount, int itemCount, int[] users, int[] items, float[] scores, int[]? days = null)
    {
        if (users.Length != items.Length || users.Length != scores.Length || (days is not null && days.Length != users.Length))
        {
            throw new ArgumentException("Users, items, scores (and days) must have the same length.");
        }
        UserCount = userCount;
        ItemCount = itemCount;
        this.users = users;
        this.items = items;
        this.scores = scores;
        this.days = days;
        (UserStart, ItemsByUser, ScoresByUser, DaysByUser) = GroupByUser(userCount, users, items, scores, days);
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

    public bool HasDays => days is not null;

    /// <summary>The day of each rating (days since 1970-01-01, UTC); empty when the set has none.</summary>
    public ReadOnlySpan<int> Days => days;

    /// <summary>User u's ratings are ItemsByUser[UserStart[u]..UserStart[u + 1]].</summary>
    internal int[] UserStart { get; }

    internal int[] ItemsByUser { get; }

    internal float[] ScoresByUser { get; }

    internal int[]? DaysByUser { get; }

    internal int[] ItemRatingCounts { get; }

    public int RatingCountOfUser(int user) => UserStart[user + 1] - UserStart[user];

    /// <summary>Builds a set from (external user, film id, score) triples, indexing users and films in order of first appearance.</summary>
    public static IndexedRatings<TUser> FromTriples<TUser>(IEnumerable<(TUser User, int Item, float Score)> triples)
        where TUser : notnull =>
        FromRatings(triples.Select(t => (t.User, t.Item, t.Score, Day: (int?)null)));

    /// <summary>Builds a set from (external user, film id, score, day) quadruples; see <see cref="FromTriples{TUser}"/>.</summary>
    public static IndexedRatings<TUser> FromQuadruples<TUser>(IEnumerable<(TUser User, int Item, float Score, int Day)> quadruples)
        where TUser : notnull =>
        FromRatings(quadruples.Select(q => (q.User, q.Item, q.Score, Day: (int?)q.Day)));

    /// <summary>Builds a set from ratings that may carry their day: the set has days only when every rating does.</summary>
    public static IndexedRatings<TUser> FromRatings<TUser>(IEnumerable<(TUser User, int Item, float Score, int? Day)> ratings)
        where TUser : notnull
    {
        var userIndex = new DenseIndex<TUser>();
        var itemIndex = new DenseIndex<int>();
        List<int> userIndices = [];
        List<int> itemIndices = [];
        List<float> scores = [];
        List<int> days = [];
        var withDays = true;
        foreach (var (user, item, score, day) in ratings)
        {
            userIndices.Add(userIndex.GetOrAdd(user));
            itemIndices.Add(itemIndex.GetOrAdd(item));
            scores.Add(score);
            withDays &= day.HasValue;
            days.Add(day ?? 0);
        }
        var set = new RatingSet(
            userIndex.Count, itemIndex.Count, [.. userIndices], [.. itemIndices], [.. scores], withDays && days.Count > 0 ? [.. days] : null);
        return new IndexedRatings<TUser>(set, userIndex, itemIndex);
    }

    public RatingSet Subset(IEnumerable<int> rows)
    {
        var picked = rows.ToArray();
        return new RatingSet(
            UserCount, ItemCount,
            [.. picked.Select(r => users[r])], [.. picked.Select(r => items[r])], [.. picked.Select(r => scores[r])],
            days is null ? null : [.. picked.Select(r => days[r])]);
    }

    private static (int[] Start, int[] Items, float[] Scores, int[]? Days) GroupByUser(
        int userCount, int[] users, int[] items, float[] scores, int[]? days)
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
        var groupedDays = days is null ? null : new int[days.Length];
        for (var r = 0; r < users.Length; r++)
        {
            var at = next[users[r]]++;
            groupedItems[at] = items[r];
            groupedScores[at] = scores[r];
            groupedDays?[at] = days![r];
        }
        return (start, groupedItems, groupedScores, groupedDays);
    }
}
