using Matcha.Catalog.Data;
using Matcha.Catalog.Statistics;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Catalog.Erasure;

/// <summary>A table that holds users' data, and whether it still holds anything of one user.</summary>
internal sealed record UserDataTable(Type Entity, Func<CatalogDbContext, Guid, CancellationToken, Task<bool>> HoldsAnyOfAsync);

/// <summary>
/// Every table of Catalog that holds a user's data. Catalog deletes none of it itself: the rows
/// leave through Ratings' removal events, and the eraser confirms only once none of these tables
/// holds anything of the user. A fast test fails when an entity with a user-id column is missing
/// here, so a new table cannot let the saga confirm while it still holds the user's data.
/// </summary>
internal static class UserDataTables
{
    public static IReadOnlyList<UserDataTable> All { get; } =
    [
        new(typeof(CountedRating), (db, userId, ct) => db.CountedRatings.AnyAsync(r => r.UserId == userId, ct)),
    ];

    public static async Task<bool> HoldAnyOfAsync(CatalogDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        foreach (var table in All)
        {
            if (await table.HoldsAnyOfAsync(db, userId, cancellationToken))
            {
                return true;
            }
        }
        return false;
    }
}
