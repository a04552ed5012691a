using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Matcha.Social.Feed;

public sealed class FeedConcurrencyOptions
{
    public const string Section = "Social:Feed";

    /// <summary>Feed pages read at once; 0 means twice the processor count.</summary>
    [Range(0, 1_000)]
    public int Concurrency { get; set; }

    /// <summary>Feed requests that wait their turn, oldest first; beyond them, 503 with <c>Retry-After</c>.</summary>
    [Range(0, 100_000)]
    public int QueueLimit { get; set; } = 1_000;

    public int EffectiveConcurrency => Concurrency > 0 ? Concurrency : 2 * Environment.ProcessorCount;
}

/// <summary>
/// The feed's pages are read a few at a time, the rest wait their turn in arrival order (the
/// built-in rate limiter's concurrency limiter). Sixteen pages at once on two cores would make
/// sixteen Postgres backends share the cores, each page slowed by all the others and the unlucky
/// ones by much more; in turn, each takes its few milliseconds and the wait is the queue ahead of
/// it, so the mean is the same and the tail is short (docs/social.md, "The feed").
/// </summary>
internal static class FeedConcurrency
{
    public const string Policy = "feed";

    public static IHostApplicationBuilder AddFeedConcurrency(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<FeedConcurrencyOptions>()
            .BindConfiguration(FeedConcurrencyOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            limiter.AddPolicy(Policy, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<FeedConcurrencyOptions>>().Value;
                return RateLimitPartition.GetConcurrencyLimiter(Policy, _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = options.EffectiveConcurrency,
                    QueueLimit = options.QueueLimit,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                });
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "1";
                await TypedResults.Problem(
                    title: "Too many feed requests at once",
                    detail: "The feed is busy; try again in a second.",
                    statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context.HttpContext);
            };
        });
        return builder;
    }
}
