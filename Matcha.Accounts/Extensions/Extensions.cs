using Matcha.Accounts.Data;
using Matcha.Accounts.SigningKeys;

namespace Matcha.Accounts;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<AccountsDbContext>("accountsdb");
        builder.AddRedisClient("redis");
        builder.AddSigningKeys();
    }
}
