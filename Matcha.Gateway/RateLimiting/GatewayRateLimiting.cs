using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Matcha.Gateway.RateLimiting;

public sealed class GatewayRateLimitOptions
{
    public const string Section = "Gateway:RateLimits";

    /// <summary>Requests a signed-in user may send at once, and per second after that.</summary>
    [Range(1, 1_000_000)]
    public int UserBurst { get; set; } = 200;

    [Range(1, 1_000_000)]
    public int UserPerSecond { get; set; } = 100;

    /// <summary>The same for anonymous callers, per client address.</summary>
    [Range(1, 1_000_000)]
    public int AnonymousBurst { get; set; } = 100;

    [Range(1, 1_000_000)]
    public int AnonymousPerSecond { get; set; } = 50;
}

internal static class GatewayRateLimiting
{
    /// <summary>
    /// A token bucket per signed-in user, or per client address for anonymous callers
    /// (health probes excepted); beyond it, 429 with <c>Retry-After</c>. Sign-in guessing has
    /// its own, stricter limit in Accounts.
    /// </summary>
    public static IHostApplicationBuilder AddGatewayRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GatewayRateLimitOptions>()
            .BindConfiguration(GatewayRateLimitOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(Partition);
            limiter.OnRejected = (context, _) =>
            {
                var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
                context.HttpContext.Response.Headers.RetryAfter =
                    Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return ValueTask.CompletedTask;
            };
        });
        return builder;
    }

    private static RateLimitPartition<string> Partition(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/health") || context.Request.Path.StartsWithSegments("/alive"))
        {
            return RateLimitPartition.GetNoLimiter("probes");
        }

        var limits = context.RequestServices.GetRequiredService<IOptions<GatewayRateLimitOptions>>().Value;
        var userId = context.User.Identity?.IsAuthenticated == true ? context.User.FindFirst(JwtRegisteredClaimNames.Sub)?.Value : null;
        return userId is not null
            ? RateLimitPartition.GetTokenBucketLimiter("user:" + userId, _ => Bucket(limits.UserBurst, limits.UserPerSecond))
            : RateLimitPartition.GetTokenBucketLimiter("address:" + context.Connection.RemoteIpAddress, _ => Bucket(limits.AnonymousBurst, limits.AnonymousPerSecond));
    }

    private static TokenBucketRateLimiterOptions Bucket(int burst, int perSecond) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
