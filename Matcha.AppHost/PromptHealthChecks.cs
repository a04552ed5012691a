using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Matcha.AppHost;

/// <summary>
/// Aspire asks a resource that is not yet healthy again after 1, 2, 3, 4 and then every 5 s, so a
/// service that became ready just after a check was seen up to 5 s late — once per link of a
/// <c>WaitFor</c> chain (Postgres, its databases, each service, the gateway). Here every check the
/// AppHost runs (the resources' own: Postgres, Redis, the services' <c>/health</c>, …) keeps asking
/// every <see cref="Interval"/> while its resource is not healthy, for up to <see cref="Window"/>,
/// and answers with the first healthy result: readiness is seen within a quarter of a second.
/// Nothing is weaker: the same checks decide, and a check that was healthy and now fails
/// answers at once, so a resource going down is not reported later than before.
/// </summary>
internal static class PromptHealthChecks
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    public static IDistributedApplicationBuilder AddPromptHealthChecks(this IDistributedApplicationBuilder builder)
    {
        var lastHealthy = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        // PostConfigure: after every resource (and Aspire itself) has registered its checks.
        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations)
            {
                var inner = registration.Factory;
                var name = registration.Name;
                registration.Factory = services => new PromptHealthCheck(inner(services), name, lastHealthy);
            }
        });
        return builder;
    }

    /// <summary>The factory runs for every check, so whether the last answer was healthy is kept by name.</summary>
    private sealed class PromptHealthCheck(IHealthCheck inner, string name, ConcurrentDictionary<string, bool> lastHealthy) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var result = await AskAsync(context, cancellationToken);
            if (result.Status is not HealthStatus.Healthy && !lastHealthy.GetValueOrDefault(name))
            {
                var deadline = DateTime.UtcNow + Window;
                while (result.Status is not HealthStatus.Healthy && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(Interval, cancellationToken);
                    result = await AskAsync(context, cancellationToken);
                }
            }
            lastHealthy[name] = result.Status is HealthStatus.Healthy;
            return result;
        }

        /// <summary>As HealthCheckService would report a check that throws: its failure status, with the exception.</summary>
        private async Task<HealthCheckResult> AskAsync(HealthCheckContext context, CancellationToken cancellationToken)
        {
            try
            {
                return await inner.CheckHealthAsync(context, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, ex.Message, ex);
            }
        }
    }
}
