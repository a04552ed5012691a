using Matcha.Ratings.Data;

namespace Matcha.Ratings;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<RatingsDbContext>("ratingsdb");
        builder.AddRedisClient("redis");
        builder.AddInternalIdentity("ratings");
    }
}
