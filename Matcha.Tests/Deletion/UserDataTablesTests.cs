using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using CatalogTables = Matcha.Catalog.Erasure.UserDataTables;
using RatingsTables = Matcha.Ratings.Erasure.UserDataTables;

namespace Matcha.Tests.Deletion;

/// <summary>
/// Account deletion erases the tables its registry lists. These tests read each service's EF
/// model (no database, no AppHost) and fail when a table with a user-id column is not listed,
/// which would otherwise leave a deleted user's data behind without any test noticing.
/// </summary>
public sealed class UserDataTablesTests
{
    [Fact]
    public void EveryRatingsTableWithAUserIdIsErasedWithTheAccount()
    {
        using var db = new Matcha.Ratings.Data.RatingsDbContextFactory().CreateDbContext([]);
        HashSet<Type> listed = [.. RatingsTables.All.Select(t => t.Entity)];

        Assert.Equal(TablesWithAUserId(db.Model), listed);
    }

    [Fact]
    public void EveryCatalogTableWithAUserIdIsEmptyBeforeCatalogConfirms()
    {
        using var db = new Matcha.Catalog.Data.CatalogDbContextFactory().CreateDbContext([]);
        HashSet<Type> listed = [.. CatalogTables.All.Select(t => t.Entity)];

        Assert.Equal(TablesWithAUserId(db.Model), listed);
    }

    [Fact]
    public void EverySocialTableThatNamesAUserIsErasedWithTheAccount()
    {
        using var db = new Matcha.Social.Data.SocialDbContextFactory().CreateDbContext([]);
        HashSet<Type> listed = [.. Matcha.Social.Erasure.UserDataEraser.Tables.Select(t => t.Entity)];

        // Social's follows name users as follower and followee, so any of its own entities with a uuid is a user's data.
        HashSet<Type> naming =
        [
            .. db.Model.GetEntityTypes()
                .Where(entity => entity.ClrType.Namespace!.StartsWith("Matcha.Social", StringComparison.Ordinal)
                    && entity.GetProperties().Any(p => p.ClrType == typeof(Guid)))
                .Select(entity => entity.ClrType),
        ];
        Assert.Equal(naming, listed);
    }

    private static HashSet<Type> TablesWithAUserId(IModel model) =>
    [
        .. model.GetEntityTypes()
            .Where(entity => entity.GetTableName() is not null
                && entity.GetProperties().Any(p => p.GetColumnName().EndsWith("user_id", StringComparison.Ordinal)))
            .Select(entity => entity.ClrType),
    ];
}
