namespace Matcha.Catalog.Search;

/// <summary>
/// The order equal matches come back in — the SQL search's <c>popularity + prior_votes DESC, rating_count DESC,
/// year DESC, id</c> (<see cref="Popularity"/> holds the sum: the catalogue's popularity prior, as the shelves).
/// People have only their id (the SQL orders them by id).
/// </summary>
internal readonly record struct SearchPrior(double Popularity, int RatingCount, int Year, int Id) : IComparable<SearchPrior>
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
        return order != 0 ? order : Id.CompareTo(other.Id);
    }
}
