using System.Globalization;
using Matcha.Recommendations.Model;

namespace Matcha.Recommendations.Evaluation;

/// <summary>
/// Reads MovieLens ratings: ml-latest(-small) <c>ratings.csv</c> (userId,movieId,rating,timestamp with a
/// header) and ml-100k <c>u.data</c> (user item rating timestamp, tab-separated, no header).
/// The timestamp (seconds since 1970, UTC) becomes the rating's day; a file without one loads without days.
/// </summary>
public static class MovieLensRatings
{
    /// <param name="path">a MovieLens folder (holding ratings.csv or u.data) or one of those files</param>
    public static IndexedRatings<int> Load(string path)
    {
        path = RatingsFile(path);
        return path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? LoadCsv(path) : LoadTabSeparated(path);
    }

    /// <summary>Each rating's timestamp (Unix seconds), in the order of the set <see cref="Load"/> builds from the same file.</summary>
    public static long[] LoadMoments(string path)
    {
        path = RatingsFile(path);
        var csv = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
        var lines = File.ReadLines(path).Skip(csv ? 1 : 0).Where(l => l.Length > 0);
        return [.. lines.Select(l => l.Split(csv ? ',' : '\t') is { Length: >= 4 } fields
            ? long.Parse(fields[3], CultureInfo.InvariantCulture)
            : throw new FormatException($"No timestamp in \"{l}\"."))];
    }

    /// <summary>
    /// Each film's genres from <c>movies.csv</c> beside the ratings (ml-latest: movieId,title,genres,
    /// genres split by '|', "(no genres listed)" as none), by the dense index of <paramref name="items"/>;
    /// null when there is no movies.csv (ml-100k).
    /// </summary>
    public static FilmFeatures? LoadGenres(string path, DenseIndex<int> items)
    {
        var folder = Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path))!;
        var movies = Path.Combine(folder, "movies.csv");
        if (!File.Exists(movies))
        {
            return null;
        }
        var genres = new string[items.Count][];
        Array.Fill(genres, []);
        foreach (var line in File.ReadLines(movies).Skip(1).Where(l => l.Length > 0))
        {
            // The title may hold commas (quoted), the id and the genres never do.
            var (comma, last) = (line.IndexOf(','), line.LastIndexOf(','));
            var film = items.IndexOf(int.Parse(line.AsSpan(0, comma), CultureInfo.InvariantCulture));
            if (film >= 0)
            {
                genres[film] = [.. line[(last + 1)..].Split('|').Where(g => g != "(no genres listed)")];
            }
        }
        return FilmFeatures.FromNames(genres);
    }

    private static string RatingsFile(string path)
    {
        if (Directory.Exists(path))
        {
            var csv = Path.Combine(path, "ratings.csv");
            var data = Path.Combine(path, "u.data");
            path = File.Exists(csv) ? csv
                : File.Exists(data) ? data
                : throw new FileNotFoundException($"Neither ratings.csv nor u.data is in {path}.");
        }
        return path;
    }

    public static IndexedRatings<int> LoadCsv(string path) =>
        RatingSet.FromRatings(File.ReadLines(path).Skip(1).Where(l => l.Length > 0).Select(l => Parse(l, ',')));

    public static IndexedRatings<int> LoadTabSeparated(string path) =>
        RatingSet.FromRatings(File.ReadLines(path).Where(l => l.Length > 0).Select(l => Parse(l, '\t')));

    private static (int User, int Item, float Score, int? Day) Parse(string line, char separator)
    {
        var fields = line.Split(separator);
        return fields.Length >= 3
            ? (int.Parse(fields[0], CultureInfo.InvariantCulture),
               int.Parse(fields[1], CultureInfo.InvariantCulture),
               float.Parse(fields[2], CultureInfo.InvariantCulture),
               fields.Length >= 4 && long.TryParse(fields[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
                   ? RatingDays.FromUnixSeconds(seconds) : null)
            : throw new FormatException($"Expected user, item and rating in \"{line}\".");
    }
}
