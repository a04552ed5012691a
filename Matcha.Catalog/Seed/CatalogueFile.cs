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
        using var stream = Open();
        return JsonSerializer.Deserialize<CatalogueFile>(stream, Json)
            ?? throw new InvalidOperationException("The default catalogue is empty.");
    }

    /// <summary>
    /// The file's version alone, read from its first property without building the films and people: every start
    /// but the first only needs the version to find it loaded, and reading the whole file cost each of Catalog's
    /// starts the deserialisation of 768 KB before it could listen.
    /// </summary>
    public static int ReadVersion()
    {
        using var stream = Open();
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        var reader = new Utf8JsonReader(bytes.GetBuffer().AsSpan(0, (int)bytes.Length));
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidOperationException("The default catalogue is not a JSON object.");
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("version"u8))
            {
                reader.Read();
                return reader.GetInt32();
            }
            reader.Skip();
        }
        throw new InvalidOperationException("The default catalogue has no version.");
    }

    private static Stream Open() =>
        typeof(CatalogueFile).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The default catalogue ({ResourceName}) is not embedded in Matcha.Catalog.");
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
