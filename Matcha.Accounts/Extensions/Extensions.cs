using Matcha.Accounts.Data;
using Matcha.Accounts.Passwords;
using Matcha.Accounts.Sessions;
using Matcha.Accounts.SigningKeys;
using Matcha.Accounts.Users;
using Microsoft.AspNetCore.HttpOverrides;

namespace Matcha.Accounts;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<AccountsDbContext>("accountsdb");
        builder.AddRedisClient("redis");
        builder.AddInternalIdentity("accounts");
        builder.AddSigningKeys();
        builder.AddUsers();
        builder.AddSessions();
    }

    private static void AddUsers(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PasswordHasher>();
        builder.Services.AddOptions<AdminBootstrapOptions>().BindConfiguration(AdminBootstrapOptions.Section);
        builder.Services.AddHostedService<AdminBootstrapper>();
    }

    private static void AddSessions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TokenOptions>().BindConfiguration(TokenOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<LoginThrottleOptions>().BindConfiguration(LoginThrottleOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<AccessTokenIssuer>();
        builder.Services.AddScoped<SessionStore>();
        builder.Services.AddSingleton<LoginThrottle>();

        // The gateway sets X-Forwarded-For to the client's address; only a proxy on the
        // configured networks (loopback by default) is believed, for the sign-in throttle.
        builder.Services.Configure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.XForwardedFor);
    }
}
