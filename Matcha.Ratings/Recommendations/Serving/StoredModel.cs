namespace Matcha.Ratings.Recommendations.Serving;

/// <summary>
/// A trained model as kept in ratingsdb, so that a restarted replica serves at once and every
/// replica serves the newest one. <see cref="Data"/> is <see cref="TrainedModel.Write"/>'s output.
/// </summary>
public sealed class StoredModel
{
    public long Id { get; set; }
    public DateTimeOffset TrainedAt { get; set; }
    public required string Algorithm { get; set; }
    public int RatingCount { get; set; }
    public int UserCount { get; set; }
    public int FilmCount { get; set; }
    public double TrainingSeconds { get; set; }

    /// <summary>RMSE of the same configuration trained without a random 10 % of the ratings, on that 10 %; null when there were too few ratings.</summary>
    public double? HoldOutRmse { get; set; }

    /// <summary>The biases-only baseline's RMSE on the same hold-out, for comparison.</summary>
    public double? BaselineHoldOutRmse { get; set; }
    public required byte[] Data { get; set; }
}
