using System.Globalization;
using Aspire.StackExchange.Redis;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Matcha.ServiceDefaults;

/// <summary>
/// How every Matcha process talks to the shared Redis. Redis down means degraded, not down: each caller
/// has a way on without it (the deleted-account check lets a write through, a cache read misses, the relay
/// and the consumers try again, the rankings fall back to Postgres). That only holds if a command fails at
/// once when there is no connection. By default StackExchange.Redis queues it and waits for a reconnect,
/// up to its timeout (5 s): while Redis was down every write through the gateway and every cache miss in
/// Catalog took 5-6 s (docs/running.md, "While Redis is down").
/// </summary>
public static partial class SharedRedis
{
    public const string ConnectionName = "redis";

    /// <summary>How long a client is asked to wait before trying again, when a request cannot be served without Redis.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The <c>redis</c> client from the Aspire integration (health check, tracing), failing fast while it has no
    /// connection, and a 503 with <c>Retry-After</c> for a request that needs Redis and cannot do without it.
    /// </summary>
    public static IHostApplicationBuilder AddServiceRedis(this IHostApplicationBuilder builder, Action<StackExchangeRedisSettings>? configureSettings = null)
    {
        builder.AddRedisClient(ConnectionName, configureSettings, FailFast);
        builder.Services.AddExceptionHandler<RedisUnavailableHandler>();
        return builder;
    }

    /// <summary>
    /// No backlog: while disconnected a command fails with <see cref="RedisConnectionException"/> instead of waiting
    /// for a reconnect, and commands in flight when the connection drops fail instead of being sent again.
    /// </summary>
    private static void FailFast(ConfigurationOptions options) => options.BacklogPolicy = BacklogPolicy.FailFast;

    /// <summary>Whether an exception says Redis could not be reached or did not answer in time.</summary>
    private static bool IsUnavailable(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is RedisConnectionException or RedisTimeoutException)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// A request that needs Redis to be answered safely (sign-in's and sign-up's attempt counters, which must not be
    /// skipped) while it is unreachable: 503 with <c>Retry-After</c> and a problem document, not a 500. Nothing was
    /// changed: each such request counts its attempt in Redis before it writes anything.
    /// </summary>
    internal sealed partial class RedisUnavailableHandler(IProblemDetailsService problems, ILogger<RedisUnavailableHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            if (!IsUnavailable(exception))
            {
                return false;
            }
            LogUnavailable(exception, httpContext.Request.Method, httpContext.Request.Path);
            httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            httpContext.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                Exception = exception,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = "Unavailable for a moment",
                    Detail = "This cannot be done for a moment: a part of Matcha it needs cannot be reached. Nothing was changed; please try again in a few seconds.",
                },
            });
        }

        [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: Redis cannot be reached")]
        private partial void LogUnavailable(Exception exception, string method, string path);
    }
}
