using Microsoft.IdentityModel.JsonWebTokens;
using StackExchange.Redis;

namespace Matcha.Gateway.Accounts;

/// <summary>
/// An access token stays valid until it expires, but a deleted account must not change
/// anything from the moment its deletion was accepted. Accounts writes
/// <c>matcha:deleted-users:{id}</c> to Redis before it answers the DELETE (and keeps trying
/// if Redis is away); here every request that may change data is refused with 401 while that
/// key exists. Reads pass: they change nothing, and the services no longer hold the data.
/// If Redis cannot be asked, the request goes on (Redis down means degraded, not down).
/// </summary>
internal static partial class DeletedAccountWrites
{
    public const string KeyPrefix = "matcha:deleted-users:";

    public static IHostApplicationBuilder AddDeletedAccountWrites(this IHostApplicationBuilder builder)
    {
        // The gateway's health does not depend on Redis: without it, it still forwards.
        builder.AddServiceRedis(settings => settings.DisableHealthChecks = true);
        builder.Services.AddHostedService<ConnectAtStart>();
        return builder;
    }

    /// <summary>
    /// Connects to Redis as the gateway starts, not at the first write that asks. The client connects on first use, and
    /// synchronously: its handshake then needs thread-pool threads that the writes waiting behind it are holding. After
    /// a start, the first 32 writes at once waited 17-18 s, until the pool had added threads enough (docs/performance.md,
    /// "The first write after a start"). In the background, so that a Redis that is away does not hold the start up.
    /// </summary>
    private sealed class ConnectAtStart(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = Task.Run(() => services.GetRequiredService<IConnectionMultiplexer>(), CancellationToken.None);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    public static WebApplication UseDeletedAccountWrites(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (IsWrite(context.Request.Method)
                && context.User.Identity?.IsAuthenticated == true
                && context.User.FindFirst(JwtRegisteredClaimNames.Sub)?.Value is { } userId
                && await IsDeletedAsync(context, userId))
            {
                await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "This account has been deleted",
                    detail: "A deleted account's tokens can no longer change anything.").ExecuteAsync(context);
                return;
            }
            await next(context);
        });
        return app;
    }

    private static bool IsWrite(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));

    private static async Task<bool> IsDeletedAsync(HttpContext context, string userId)
    {
        var redis = context.RequestServices.GetRequiredService<IConnectionMultiplexer>();
        try
        {
            return await redis.GetDatabase().KeyExistsAsync(KeyPrefix + userId);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnavailable(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DeletedAccountWrites)), ex);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot check deleted accounts in Redis; the write is let through")]
    private static partial void LogUnavailable(ILogger logger, Exception exception);
}
