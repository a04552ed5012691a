using System.Globalization;
using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Caching.Hybrid;
using Npgsql;

namespace Matcha.Catalog.Shelves;

internal static class ShelvesApi
{
    public const int DefaultLimit = 12;
    public const int MaxLimit = 30;

    public static IEndpointRouteBuilder MapShelvesApi(this IEndpointRouteBuilder app)
    {
        // Public like every catalogue read: a first visit is anonymous.
        app.MapGet("/shelves", GetShelves).WithTags("Shelves")
            .WithSummary("The home screen's rows that need no ratings — new releases, Korean films, a few genres — each by the catalogue's popularity prior.");
        return app;
    }

    private static async Task<Results<Ok<ShelfSet>, ValidationProblem>> GetShelves(
        string? limit, CatalogDbContext db, NpgsqlDataSource catalogDb, HybridCache cache, TimeProvider clock, CancellationToken ct)
    {
        var size = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxLimit))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["limit"] = [$"limit must be a whole number from 1 to {MaxLimit}."],
            });
        }

        var today = clock.Today();
        // Cached like the browse lists' first pages, under their tag: the rankings projection drops
        // it about a second after statistics change, and admin writes drop it at once.
        var shelves = await cache.GetOrCreateAsync(
            FormattableString.Invariant($"shelves:{today:yyyy-MM-dd}:{size}"),
            ct => new ValueTask<ShelfSet>(ShelfReader.ReadAsync(db, catalogDb, size, today, ct)),
            new HybridCacheEntryOptions { Expiration = TimeSpan.FromMinutes(1), LocalCacheExpiration = TimeSpan.FromSeconds(30) },
            [MoviesApi.ListsTag], ct);
        return TypedResults.Ok(shelves);
    }
}
