using System.Text.Json;
using System.Text.Json.Serialization;

namespace Matcha.Catalog.Seed;

/// <summary>The embedded default catalogue (Seed/catalogue.json): real films, facts only.</summary>
internal sealed record CatalogueFile(int Version, List<SeedPerson> People, List<SeedMovie> Movies)
{
    private const string ResourceName = "Matcha.Catalog.Seed.catalogue.json";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict,
    };

    public static CatalogueFile Load()
    {
        using var stream = typeof(CatalogueFile).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The default catalogue ({ResourceName}) is not embedded in Matcha.Catalog.");
        return JsonSerializer.Deserialize<CatalogueFile>(stream, Json)
            ?? throw new InvalidOperationException("The default catalogue is empty.");
    }
}

internal sealed record SeedPerson(string Id, Dictionary<string, string> Names);

internal sealed record SeedMovie(
    string Key,
    string? ImdbId,
    int? TmdbId,
    int? MovieLensId,
    string OriginalLanguage,
    Dictionary<string, string> Titles,
    string OriginalTitle,
    int Year,
    DateOnly? ReleaseDate,
    int? Runtime,
    List<string> Genres,
    List<string> Countries,
    Dictionary<string, string>? Synopsis,
    List<SeedCredit> Credits,
    int? MovieLensRatings = null);

internal sealed record SeedCredit(string Person, string Role, string? Character, int? Order);

/// <summary>One row per catalogue version loaded, so a restart never loads it twice.</summary>
public sealed class CatalogueLoad
{
    public int Version { get; set; }
    public DateTimeOffset LoadedAt { get; set; }
    public int Movies { get; set; }
    public int People { get; set; }
}
