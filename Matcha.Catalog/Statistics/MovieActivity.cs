namespace Matcha.Catalog.Statistics;

/// <summary>
/// How much happened to a film on one day (UTC, the day the event occurred): ratings given or
/// changed, wishlist additions, comments posted. Trending sums the last few days of it.
/// </summary>
public sealed class MovieActivity
{
    public int MovieId { get; set; }
    public DateOnly Day { get; set; }
    public int Count { get; set; }
}
