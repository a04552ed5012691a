using Matcha.Catalog.Search;

namespace Matcha.Catalog.Movies;

internal static class MovieIndexing
{
    /// <summary>
    /// Recomputes what search and sorting read: call after titles or credits change. Credits must
    /// have their <see cref="Credit.Person"/> loaded (with names) for people to be searchable.
    /// </summary>
    public static void RefreshSearchFields(this Movie movie)
    {
        var titles = movie.Titles.Select(t => t.Title).Append(movie.OriginalTitle).ToList();
        movie.TitleKeys = [.. titles.Select(SearchText.Normalize).Where(t => t.Length > 0).Distinct()];
        movie.SortTitle = SearchText.Normalize(movie.Titles.FirstOrDefault(t => t.Language == "en")?.Title ?? movie.OriginalTitle);

        var people = movie.Credits
            .Where(c => c.Role == CreditRole.Director || (c.Role == CreditRole.Cast && c.Order is null or <= 5))
            .SelectMany(c => c.Person?.Names.Select(n => n.Name) ?? []);
        movie.SearchText = SearchText.Join(titles.Concat(people));
    }
}
