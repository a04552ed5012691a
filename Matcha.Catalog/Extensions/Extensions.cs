using Matcha.Catalog.Data;

namespace Matcha.Catalog;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<CatalogDbContext>("catalogdb");
        builder.AddRedisClient("redis");
        builder.AddInternalIdentity("catalog");
    }
}
