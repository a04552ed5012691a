namespace Matcha.Catalog.Rankings;

/// <summary>Section <c>Rankings</c>. Invalid values stop Catalog at start.</summary>
public sealed class RankingsOptions
{
    public const string Section = "Rankings";

    /// <summary>A film needs this many ratings to be ranked by its average.</summary>
    public int TopRatedMinimumRatings { get; set; } = 5;

    /// <summary>Trending sums the activity of the last this-many days, today included.</summary>
    public int TrendingDays { get; set; } = 7;

    /// <summary>How often changed statistics are written to the rankings and browse lists are refreshed: their lag.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often Redis is checked for the rankings' marker (a lost marker means lost rankings: rebuild).</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Every so often the rankings are rebuilt from Postgres anyway: trending's window moves on, and replicas may race.</summary>
    public TimeSpan RebuildInterval { get; set; } = TimeSpan.FromMinutes(10);

    internal bool IsValid() =>
        TopRatedMinimumRatings >= 1 && TrendingDays >= 1
        && RefreshInterval > TimeSpan.Zero && CheckInterval > TimeSpan.Zero && RebuildInterval > TimeSpan.Zero;
}
