namespace Matcha.Catalog.Search;

/// <summary>
/// The order equal matches come back in — the SQL search's <c>popularity DESC, rating_count DESC,
/// year DESC, id</c>. People have only their id (the SQL orders them by id).
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
