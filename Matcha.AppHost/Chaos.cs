using Microsoft.Extensions.Configuration;

namespace Matcha.AppHost;

/// <summary>
/// <c>./eng/run.sh --chaos</c> (<c>Matcha:Chaos=true</c>): the gateway's screen clients of Catalog
/// and Ratings fail 30 % of their attempts and answer each one 500 ms late, through Polly's chaos
/// strategies inside their retry and circuit breaker (docs/web-app.md). Off by default.
/// </summary>
internal static class Chaos
{
    public const double FaultRate = 0.3;
    public const int LatencyMs = 500;

    public static IResourceBuilder<ProjectResource> WithChaos(this IResourceBuilder<ProjectResource> gateway, IConfiguration configuration)
    {
        if (!configuration.GetValue<bool>("Matcha:Chaos"))
        {
            return gateway;
        }
        foreach (var service in new[] { "catalog", "ratings" })
        {
            gateway.WithEnvironment($"Chaos__{service}__FaultRate", FaultRate.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .WithEnvironment($"Chaos__{service}__LatencyMs", LatencyMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return gateway;
    }
}
