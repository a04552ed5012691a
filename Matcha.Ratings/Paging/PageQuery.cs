using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matcha.Ratings.Paging;

/// <summary>
/// The page a list request asks for: its size (default 20, at most 100) and the keyset position
/// the previous page ended at. Every list in Ratings reads <c>pageSize</c> and <c>cursor</c>
/// through this, so each answers the same 400 naming the field and writes the same cursor.
/// </summary>
internal sealed record PageQuery(int Size, (long First, long Second)? After)
{
    /// <param name="sortedByTime">The list is ordered by a time, which its cursors carry in UTC ticks.</param>
    public static bool TryRead(int? pageSize, string? cursor, [NotNullWhen(true)] out PageQuery? query, [NotNullWhen(false)] out ValidationProblem? problem, bool sortedByTime = false)
    {
        query = null;
        problem = PageRequest.Validate(pageSize);
        if (problem is not null || !KeysetCursor.TryRead(cursor, sortedByTime, out var after, out problem))
        {
            return false;
        }
        query = new PageQuery(pageSize ?? PageRequest.DefaultPageSize, after);
        return true;
    }

    /// <summary>How many items to fetch: one more than a page tells whether another page follows.</summary>
    public int Fetch => Size + 1;

    /// <summary>One page of <paramref name="fetched"/>, with the cursor at the last item's position when more follow.</summary>
    public Page<T> ToPage<T>(IReadOnlyList<T> fetched, Func<T, (long First, long Second)> positionOf) =>
        fetched.Count > Size
            ? new Page<T>([.. fetched.Take(Size)], KeysetCursor.Write(positionOf(fetched[Size - 1])))
            : new Page<T>(fetched, null);
}
