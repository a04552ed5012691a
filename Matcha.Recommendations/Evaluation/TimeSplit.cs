using Matcha.Recommendations.Model;

namespace Matcha.Recommendations.Evaluation;

/// <summary>
/// A time-ordered split, as predictions are met in service: each user's latest
/// <paramref name="heldOutShare"/> of ratings is held out (from the moment of the first of them,
/// so ratings given at the same second stay together), and nothing rated at or after that moment
/// by anyone may be learned from. Training a model per user is out of reach, so models are trained
/// at <paramref name="checkpoints"/> moments, as a service retrains on a schedule: users are put in
/// order of their cut and in groups of equal size, each group's model is trained on every rating
/// before the earliest cut in the group, and each user is then folded in from all of their own
/// ratings before their cut (newer than the model, as a user's ratings usually are). Each group
/// is a fold; groups differ in size, so results are pooled over all held-out ratings. A group
/// whose model would learn from fewer than <paramref name="minimumTraining"/> ratings is left out
/// (in ml-latest-small the earliest group's checkpoint has 20 ratings before it): every model is
/// then scored on the same ratings, and none on a "model" of a handful of ratings.
/// </summary>
public sealed class TimeSplit(double heldOutShare = 0.2, int checkpoints = 10, int minimumTraining = 1_000)
{
    public IReadOnlyList<ModelEvaluation> Run(RatingSet ratings, long[] moments, IReadOnlyList<Candidate> candidates, Action<string, FoldResult>? onFit = null) =>
        Evaluator.Run(Folds(ratings, moments), candidates, onFit);

    /// <param name="moments">each rating's moment (any ordered clock, e.g. Unix seconds), parallel to the set's rows</param>
    public IReadOnlyList<EvaluationFold> Folds(RatingSet ratings, long[] moments)
    {
        if (moments.Length != ratings.Count)
        {
            throw new ArgumentException($"{moments.Length} moments for {ratings.Count} ratings.", nameof(moments));
        }
        var rowsByUser = new List<int>[ratings.UserCount];
        for (var r = 0; r < ratings.Count; r++)
        {
            (rowsByUser[ratings.Users[r]] ??= []).Add(r);
        }
        var cuts = new List<(long Cut, int User)>();
        var cutOf = new long[ratings.UserCount];
        for (var u = 0; u < ratings.UserCount; u++)
        {
            if (rowsByUser[u] is not { } rows)
            {
                continue;
            }
            rows.Sort((a, b) => moments[a] != moments[b] ? moments[a].CompareTo(moments[b]) : a.CompareTo(b));
            var heldOut = Math.Max(1, (int)Math.Round(rows.Count * heldOutShare));
            cutOf[u] = moments[rows[^heldOut]];
            cuts.Add((cutOf[u], u));
        }
        cuts.Sort();
        var groups = Math.Min(checkpoints, cuts.Count);
        var folds = new List<EvaluationFold>();
        for (var g = 0; g < groups; g++)
        {
            var members = cuts.Skip(g * cuts.Count / groups).Take((g + 1) * cuts.Count / groups - g * cuts.Count / groups).ToArray();
            var checkpoint = members[0].Cut;
            var train = Enumerable.Range(0, ratings.Count).Where(r => moments[r] < checkpoint).ToArray();
            if (train.Length < minimumTraining)
            {
                continue;
            }
            var known = members.SelectMany(m => rowsByUser[m.User].Where(r => moments[r] < m.Cut));
            var test = members.SelectMany(m => rowsByUser[m.User].Where(r => moments[r] >= m.Cut));
            folds.Add(new EvaluationFold(g + 1, ratings.Subset(train), ratings.Subset(known), ratings.Subset(test)));
        }
        return folds;
    }
}
