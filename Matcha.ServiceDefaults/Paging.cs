using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matcha.ServiceDefaults;

/// <summary>One keyset page: the items, and the opaque cursor of the next page (null on the last).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

public static class PageRequest
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    /// <summary>A 400 problem naming <c>pageSize</c> when it is outside 1..<see cref="MaxPageSize"/>.</summary>
    public static ValidationProblem? Validate(int? pageSize) =>
        pageSize is < 1 or > MaxPageSize
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["pageSize"] = [$"pageSize must be between 1 and {MaxPageSize}."],
            })
            : null;

    /// <summary>
    /// Reads a numeric keyset cursor; a cursor that is not one of ours is a 400 naming <c>cursor</c>.
    /// </summary>
    public static bool TryReadCursor(string? cursor, out long after, out ValidationProblem? problem)
    {
        problem = null;
        after = 0;
        if (cursor is null || long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            return true;
        }

        problem = TypedResults.ValidationProblem(new Dictionary<string, string[]>
        {
            ["cursor"] = ["cursor is not a cursor this API returned."],
        });
        return false;
    }

    /// <summary>Takes one page from <paramref name="fetched"/>, which holds up to one item more than a page.</summary>
    public static Page<T> ToPage<T>(this IReadOnlyList<T> fetched, int pageSize, Func<T, string> cursorOf) =>
        fetched.Count > pageSize
            ? new Page<T>([.. fetched.Take(pageSize)], cursorOf(fetched[pageSize - 1]))
            : new Page<T>(fetched, null);
}
