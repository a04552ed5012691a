using System.ComponentModel;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matcha.ServiceDefaults;

/// <summary>One keyset page: the items, and the opaque cursor of the next page (null on the last). Immutable: HybridCache hands out a cached page itself.</summary>
[ImmutableObject(true)]
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
}
