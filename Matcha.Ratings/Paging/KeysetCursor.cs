using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matcha.Ratings.Paging;

/// <summary>
/// Ratings' one cursor format, <c>{first}.{second}</c>: the sort key of the last item on a page
/// and its tie-breaker (a list ordered by one unique key writes 0 first). Opaque to clients;
/// anything else is a 400 naming <c>cursor</c>.
/// </summary>
internal static class KeysetCursor
{
    public static string Write((long First, long Second) position) =>
        string.Create(CultureInfo.InvariantCulture, $"{position.First}.{position.Second}");

    /// <param name="firstIsTime">The sort key is a time in UTC ticks: outside the range of a <see cref="DateTimeOffset"/> it is no cursor.</param>
    public static bool TryRead(string? cursor, bool firstIsTime, out (long First, long Second)? position, [NotNullWhen(false)] out ValidationProblem? problem)
    {
        position = null;
        problem = null;
        if (cursor is null)
        {
            return true;
        }
        var parts = cursor.Split('.');
        if (parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var first)
            && long.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var second)
            && (!firstIsTime || (first >= 0 && first <= DateTimeOffset.MaxValue.UtcTicks)))
        {
            position = (first, second);
            return true;
        }
        problem = TypedResults.ValidationProblem(new Dictionary<string, string[]>
        {
            ["cursor"] = ["cursor is not a cursor this API returned."],
        });
        return false;
    }
}
