namespace Matcha.Catalog.Statistics;

/// <summary>
/// A rating that Catalog's statistics include. Catalog keeps its own record of what it counted,
/// so that a change subtracts exactly what was added, even for a rating it rejected.
/// </summary>
public sealed class CountedRating
{
    public int MovieId { get; set; }
    public Guid UserId { get; set; }
    public decimal Score { get; set; }
}
