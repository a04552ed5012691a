namespace Matcha.Ratings.Ratings;

/// <summary>
/// One user's rating of one film. The row outlives a removal (Score null) so that its
/// Version keeps growing: consumers order the rating's events by it.
/// </summary>
public sealed class Rating
{
    public Guid UserId { get; set; }
    public int MovieId { get; set; }
    public decimal? Score { get; set; }
    public long Version { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Set when Catalog rejected the rating (the film was not released or was removed); shown on the user's page.</summary>
    public string? RejectedReason { get; set; }
}
