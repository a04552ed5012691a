namespace Matcha.Catalog.Movies;

public sealed class Movie
{
    public const int MaxTitleLength = 300;

    public int Id { get; set; }
    public required string Title { get; set; }
    public int? Year { get; set; }
}
