using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Matcha.Gateway.Screens;

/// <summary>How long the gateway waits for one service while assembling a screen, and when it stops asking.</summary>
public sealed class ScreenDependencyOptions
{
    public const string Section = "Gateway:Screens";

    /// <summary>One attempt; a slower answer counts as a failure.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Everything, the one retry included: the screen's deadline for this service.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The circuit opens when at least this many calls in the sampling window, half of them failures, have failed.</summary>
    [Range(2, 1000)]
    public int MinimumThroughput { get; set; } = 6;

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(15);

    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}

internal static class ScreenClients
{
    public static readonly string[] Services = ["catalog", "ratings"];

    public static string ClientName(string service) => $"screens-{service}";

    /// <summary>
    /// One HttpClient per service the screens read from, each with its own resilience pipeline
    /// (so its own circuit): a short attempt timeout, one quick retry (the calls are GETs), a
    /// total deadline and a circuit breaker that opens after a handful of failures, bound from
    /// <c>Gateway:Screens:{service}</c>. The defaults from ServiceDefaults are replaced, not stacked.
    /// </summary>
    public static IHostApplicationBuilder AddScreenClients(this IHostApplicationBuilder builder)
    {
        foreach (var service in Services)
        {
            builder.Services.AddOptions<ScreenDependencyOptions>(service)
                .BindConfiguration($"{ScreenDependencyOptions.Section}:{service}")
                .ValidateDataAnnotations()
                .Validate(o => o.TotalTimeout >= o.AttemptTimeout, $"{ScreenDependencyOptions.Section}:{service}:TotalTimeout must be at least AttemptTimeout.")
                .Validate(o => o.SamplingDuration >= 2 * o.AttemptTimeout, $"{ScreenDependencyOptions.Section}:{service}:SamplingDuration must be at least twice AttemptTimeout.")
                .ValidateOnStart();

            builder.Services.AddHttpClient(ClientName(service), http => http.BaseAddress = new Uri($"http://{service}"))
                .AddScreenResilience(service);
        }
        return builder;
    }

    /// <summary>
    /// The screens' pipeline for one service on a client's HttpClient: it works the same under a
    /// gRPC client (each call is one HTTP/2 request), where a failed call that still answered
    /// HTTP 200 says so in its <c>grpc-status</c> header, which counts here as a 5xx would.
    /// </summary>
    public static IHttpClientBuilder AddScreenResilience(this IHttpClientBuilder client, string service)
    {
        client.ReplaceDefaultResilience()
            .AddResilienceHandler(service, (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<ScreenDependencyOptions>>().Get(service);
                pipeline
                    .AddTimeout(options.TotalTimeout)
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = 1,
                        Delay = TimeSpan.FromMilliseconds(50),
                        BackoffType = DelayBackoffType.Constant,
                        ShouldHandle = args => ValueTask.FromResult(IsFailure(args.Outcome)),
                    })
                    .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                    {
                        FailureRatio = 0.5,
                        MinimumThroughput = options.MinimumThroughput,
                        SamplingDuration = options.SamplingDuration,
                        BreakDuration = options.BreakDuration,
                        ShouldHandle = args => ValueTask.FromResult(IsFailure(args.Outcome)),
                    })
                    .AddTimeout(options.AttemptTimeout)
                    // Off unless Chaos:{service} is configured (./eng/run.sh --chaos, the chaos tests).
                    .AddConfiguredChaos(ChaosOptions.For(context.ServiceProvider.GetRequiredService<IConfiguration>(), service));
            });
        // Inside the pipeline: each request that leaves for the service, retries included.
        return client.AddHttpMessageHandler(() => new ScreenCallLogHandler(service));
    }

    /// <summary>Transient as the standard handler sees it, or a gRPC answer of Unavailable (14) or DeadlineExceeded (4) in its headers.</summary>
    private static bool IsFailure(Outcome<HttpResponseMessage> outcome) =>
        HttpClientResiliencePredicates.IsTransient(outcome)
        || (outcome.Result?.Headers.TryGetValues("grpc-status", out var status) == true && status.FirstOrDefault() is "14" or "4");
}
