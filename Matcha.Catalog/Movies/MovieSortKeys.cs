namespace Matcha.Catalog.Movies;

/// <summary>
/// A film's sort keys, the ones Ratings' events change, in a narrow table of their own with the
/// indexes that order by them: browse's rating, count and popularity sorts, rate to start's votes
/// and search's prior. The film's own row keeps the same columns for what it shows, but no index
/// on them, so the statistics' update of a film is HOT (Postgres rewrites no index entry) rather
/// than a new entry in each of the film's indexes, the search's GIN indexes among them.
/// Postgres keeps this row in step with the film's in the same statement (triggers of the
/// migration <c>SortKeysOwnTable</c>), so every writer — Catalog, the importer, a benchmark's
/// COPY — is covered and a read never sees the two apart. Read only; nothing writes it but the triggers.
/// </summary>
public sealed class MovieSortKeys
{
    public int MovieId { get; set; }
    public Movie? Movie { get; set; }
    public double AverageRating { get; set; }
    public int RatingCount { get; set; }
    public double Popularity { get; set; }
    public int PriorVotes { get; set; }
    public int Year { get; set; }
}
