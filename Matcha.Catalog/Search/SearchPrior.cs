namespace Matcha.Catalog.Search;

/// <summary>
/// The order equal matches come back in — the SQL search's <c>popularity DESC, rating_count DESC, year DESC,
/// prior_votes DESC, id</c>: what happens here, then the newer film, then its MovieLens rating count at import (the
/// default catalogue and the importer carry it), and the id only when all of those are equal. People have only their id
/// (the SQL orders them by id).
/// </summary>
internal readonly record struct SearchPrior(double Popularity, int RatingCount, int Year, int Id, int PriorVotes = 0) : IComparable<SearchPrior>
{
    public static SearchPrior ById(int id) => new(0, 0, 0, id);

    public int CompareTo(SearchPrior other)
    {
        var order = other.Popularity.CompareTo(Popularity);
        if (order == 0)
        {
            order = other.RatingCount.CompareTo(RatingCount);
        }
        if (order == 0)
        {
            order = other.Year.CompareTo(Year);
        }
        if (order == 0)
        {
            order = other.PriorVotes.CompareTo(PriorVotes);
        }
        return order != 0 ? order : Id.CompareTo(other.Id);
    }
}
