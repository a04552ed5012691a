using System.Net;
using Microsoft.Extensions.Configuration;
using Polly;
using Polly.Simmy;
using Polly.Simmy.Outcomes;

namespace Matcha.ServiceDefaults;

/// <summary>
/// Chaos for one internal client, off unless configured: <c>Chaos:{client}:FaultRate</c> (the
/// share of attempts answered 503 without calling the service), <c>Chaos:{client}:LatencyMs</c>
/// and <c>Chaos:{client}:LatencyRate</c> (the share of attempts delayed that long, all of them
/// when unset). Polly's own chaos strategies, not a hand-written fake handler: they are added
/// last, innermost, so an injected fault meets the same attempt timeout, retry and circuit
/// breaker a real one does.
/// </summary>
public sealed record ChaosOptions(double FaultRate, int LatencyMs, double LatencyRate)
{
    public const string Section = "Chaos";

    public bool IsOn => FaultRate > 0 || LatencyMs > 0;

    /// <summary>The options of <paramref name="client"/>, all zero when its section is missing.</summary>
    public static ChaosOptions For(IConfiguration configuration, string client)
    {
        var section = configuration.GetSection($"{Section}:{client}");
        return new(section.GetValue<double>(nameof(FaultRate)), section.GetValue<int>(nameof(LatencyMs)),
            section.GetValue<double?>(nameof(LatencyRate)) ?? 1.0);
    }
}

public static class ChaosPipelines
{
    /// <summary>Adds the configured chaos (nothing when it is off); call it after the pipeline's other strategies.</summary>
    public static ResiliencePipelineBuilder<HttpResponseMessage> AddConfiguredChaos(this ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ChaosOptions chaos)
    {
        if (chaos.LatencyMs > 0)
        {
            pipeline.AddChaosLatency(chaos.LatencyRate, TimeSpan.FromMilliseconds(chaos.LatencyMs));
        }
        if (chaos.FaultRate > 0)
        {
            pipeline.AddChaosOutcome(new ChaosOutcomeStrategyOptions<HttpResponseMessage>
            {
                InjectionRate = chaos.FaultRate,
                OutcomeGenerator = args =>
                {
                    // In the request's HTTP version: a gRPC client takes an HTTP/1.1 answer to its
                    // HTTP/2 call for a protocol error (Internal), not for the 503 (Unavailable) it is.
                    var request = args.Context.GetRequestMessage();
                    return ValueTask.FromResult<Outcome<HttpResponseMessage>?>(Outcome.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
                    {
                        // Says where the 503 came from, for whoever reads a trace or a log.
                        ReasonPhrase = "Injected by chaos",
                        Version = request?.Version ?? HttpVersion.Version11,
                        RequestMessage = request,
                    }));
                },
            });
        }
        return pipeline;
    }
}
