namespace Matcha.Ratings.RateToStart;

/// <summary>
/// A film the user said they have not seen, while rating to start: kept so the next batch does not
/// offer it again. Not a rating and not a wish, so no event announces it; account deletion erases it.
/// </summary>
public sealed class UnseenFilm
{
    public Guid UserId { get; set; }
    public int MovieId { get; set; }
    public DateTimeOffset MarkedAt { get; set; }
}
