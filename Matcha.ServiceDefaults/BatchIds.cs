using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matcha.ServiceDefaults;

/// <summary>
/// The ids of a batch read, as a query parameter: <c>ids=3,1,2</c>, 1 to <see cref="Max"/> positive
/// integers. Duplicates are dropped and the order is kept, so an answer can follow it. Anything
/// else is a 400 naming the parameter, the same in every service.
/// </summary>
public static class BatchIds
{
    public const int Max = 100;

    public static bool TryRead(
        string? text, string field, [NotNullWhen(true)] out IReadOnlyList<int>? ids, [NotNullWhen(false)] out ValidationProblem? problem)
    {
        ids = null;
        problem = null;
        var read = new List<int>();
        var seen = new HashSet<int>();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
            {
                read.Clear();
                break;
            }
            if (seen.Add(id))
            {
                read.Add(id);
            }
        }
        if (read.Count is 0 or > Max)
        {
            problem = TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [field] = [$"{field} must be 1 to {Max} ids (positive whole numbers) separated by commas, e.g. {field}=1,2,3."],
            });
            return false;
        }
        ids = read;
        return true;
    }

    /// <summary>The same rule for ids that arrive as numbers (a gRPC request): duplicates dropped, order kept.</summary>
    public static bool TryTake(IEnumerable<int> asked, [NotNullWhen(true)] out IReadOnlyList<int>? ids)
    {
        var read = asked.Distinct().ToList();
        ids = read.Count is 0 or > Max || read.Any(id => id <= 0) ? null : read;
        return ids is not null;
    }

    public static string Rule(string field) => $"{field} must be 1 to {Max} positive ids.";
}
