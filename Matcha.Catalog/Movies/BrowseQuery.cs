using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;

namespace Matcha.Catalog.Movies;

/// <summary>The query string of <c>GET /movies</c>, bound with [AsParameters].</summary>
public sealed record BrowseQuery(
    string? Genre,
    string? Country,
    int? YearFrom,
    int? YearTo,
    bool? Released,
    string? Sort,
    string? Cursor,
    int? PageSize,
    string? Q)
{
    /// <summary>Sorts and their fixed directions: title A→Z; the others highest first.</summary>
    public static readonly string[] Sorts = ["popularity", "title", "year", "rating", "count"];

    public string SortOrDefault => Sort ?? "popularity";

    public int Size => PageSize ?? ServiceDefaults.PageRequest.DefaultPageSize;

    /// <summary>Problems keyed by the field they are about; empty when the query is valid.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (Genre is not null && !Genres.IsKnown(Genre))
        {
            errors["genre"] = [$"Unknown genre '{Genre}'. Known: {string.Join(", ", Genres.All.Keys)}."];
        }
        if (Country is not null && (Country.Length != 2 || !Country.All(char.IsAsciiLetterUpper)))
        {
            errors["country"] = ["country is an ISO 3166-1 alpha-2 code in capitals, e.g. KR."];
        }
        if (YearFrom is < 1870 or > 2100)
        {
            errors["yearFrom"] = ["yearFrom must be between 1870 and 2100."];
        }
        if (YearTo is < 1870 or > 2100)
        {
            errors["yearTo"] = ["yearTo must be between 1870 and 2100."];
        }
        if (YearFrom > YearTo)
        {
            errors["yearTo"] = ["yearTo must not be before yearFrom."];
        }
        if (Sort is not null && !Sorts.Contains(Sort))
        {
            errors["sort"] = [$"sort must be one of {string.Join(", ", Sorts)}."];
        }
        if (PageSize is < 1 or > ServiceDefaults.PageRequest.MaxPageSize)
        {
            errors["pageSize"] = [$"pageSize must be between 1 and {ServiceDefaults.PageRequest.MaxPageSize}."];
        }
        if (Q is { Length: > 100 } || !ServiceDefaults.StoredText.IsStorable(Q))
        {
            errors["q"] = ["q must be at most 100 characters of plain text (no NUL)."];
        }
        if (Cursor is not null && BrowseCursor.Decode(Cursor, SortOrDefault) is null)
        {
            errors["cursor"] = ["cursor is not a cursor this API returned for this sort."];
        }
        return errors;
    }

    /// <summary>Only first pages of plain browsing are cached: they are what most people open.</summary>
    public string? CacheKey => Cursor is null && Q is null
        ? FormattableString.Invariant($"movies:list:{Genre}:{Country}:{YearFrom}:{YearTo}:{Released}:{SortOrDefault}:{Size}")
        : null;
}

/// <summary>The position after the last film of a page: its sort value and id, opaque to clients.</summary>
internal sealed record BrowseCursor(string Sort, string Value, int Id)
{
    public string Encode() => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(this));

    public static BrowseCursor? Decode(string cursor, string sort)
    {
        try
        {
            var decoded = JsonSerializer.Deserialize<BrowseCursor>(Base64Url.DecodeFromChars(cursor));
            return decoded is not null && decoded.Sort == sort && decoded.ValueIsValid() ? decoded : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    public double NumericValue() => double.Parse(Value, CultureInfo.InvariantCulture);

    // A title goes to Postgres as text; a number must be finite (1e400 parses as infinity).
    private bool ValueIsValid() => Value is not null && (Sort == "title"
        ? ServiceDefaults.StoredText.IsStorable(Value)
        : double.TryParse(Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number));

    public static BrowseCursor After(Movie last, string sort) => new(sort, sort switch
    {
        "title" => last.SortTitle,
        "year" => last.Year.ToString(CultureInfo.InvariantCulture),
        "rating" => last.AverageRating.ToString("R", CultureInfo.InvariantCulture),
        "count" => last.RatingCount.ToString(CultureInfo.InvariantCulture),
        _ => last.Popularity.ToString("R", CultureInfo.InvariantCulture),
    }, last.Id);
}
