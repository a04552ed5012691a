namespace Matcha.Catalog.Movies;

/// <summary>The fixed genre vocabulary (docs/catalog.md). Ids are what the API takes and returns.</summary>
public static class Genres
{
    public static readonly IReadOnlyDictionary<string, (string En, string Ko)> All = new Dictionary<string, (string, string)>
    {
        ["action"] = ("Action", "액션"),
        ["adventure"] = ("Adventure", "모험"),
        ["animation"] = ("Animation", "애니메이션"),
        ["biography"] = ("Biography", "전기"),
        ["comedy"] = ("Comedy", "코미디"),
        ["crime"] = ("Crime", "범죄"),
        ["documentary"] = ("Documentary", "다큐멘터리"),
        ["drama"] = ("Drama", "드라마"),
        ["family"] = ("Family", "가족"),
        ["fantasy"] = ("Fantasy", "판타지"),
        ["film-noir"] = ("Film noir", "필름 누아르"),
        ["history"] = ("History", "역사"),
        ["horror"] = ("Horror", "공포"),
        ["music"] = ("Music", "음악"),
        ["musical"] = ("Musical", "뮤지컬"),
        ["mystery"] = ("Mystery", "미스터리"),
        ["romance"] = ("Romance", "로맨스"),
        ["science-fiction"] = ("Science fiction", "SF"),
        ["sport"] = ("Sport", "스포츠"),
        ["thriller"] = ("Thriller", "스릴러"),
        ["war"] = ("War", "전쟁"),
        ["western"] = ("Western", "서부"),
    };

    public static bool IsKnown(string id) => All.ContainsKey(id);

    /// <summary>MovieLens genre names, mapped onto ours; "IMAX" and "(no genres listed)" map to nothing.</summary>
    public static string? FromMovieLens(string name) => name switch
    {
        "Children" => "family",
        "Sci-Fi" => "science-fiction",
        "Film-Noir" => "film-noir",
        "Musical" => "musical",
        _ when All.ContainsKey(name.ToLowerInvariant()) => name.ToLowerInvariant(),
        _ => null,
    };
}
