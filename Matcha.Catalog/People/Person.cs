using Matcha.Catalog.Movies;

namespace Matcha.Catalog.People;

public sealed class Person
{
    public int Id { get; set; }
    public string? Key { get; set; }
    public List<PersonName> Names { get; set; } = [];
    public string SearchText { get; set; } = "";
    public List<Credit> Credits { get; set; } = [];

    public string NameIn(string language) =>
        Names.FirstOrDefault(n => n.Language == language)?.Name ?? Names.FirstOrDefault()?.Name ?? "";
}

public sealed class PersonName
{
    public required string Language { get; set; }
    public required string Name { get; set; }
}
