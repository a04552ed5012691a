using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace Matcha.Gateway.Limits;

public sealed class RequestLimitOptions
{
    public const string Section = "Gateway:RequestLimits";

    /// <summary>The largest body any route takes unless its YARP route says <c>"Metadata": { "MaxRequestBodyBytes": "…" }</c>: JSON APIs need a few KB.</summary>
    [Range(1, 100 * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 16 * 1024;

    /// <summary>Method, path and query together (Kestrel answers 414 beyond it).</summary>
    [Range(1024, 64 * 1024)]
    public int MaxRequestLineBytes { get; set; } = 4 * 1024;

    /// <summary>All headers together, and how many (Kestrel answers 431 beyond either).</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxHeadersBytes { get; set; } = 16 * 1024;

    [Range(8, 1000)]
    public int MaxHeaderCount { get; set; } = 50;
}

/// <summary>
/// Bounds on what a client may send, enforced before anything reads it: a body over its route's
/// limit is a 413 problem before the body is parsed or forwarded (by its Content-Length at once,
/// or by Kestrel as soon as a chunked body grows past it), and the request line and headers are
/// bounded by Kestrel itself (414, 431; Kestrel answers those before the app sees the request,
/// so their bodies are empty). See docs/security.md.
/// </summary>
internal static class RequestLimits
{
    public const string RouteMetadataKey = "MaxRequestBodyBytes";

    public static IHostApplicationBuilder AddRequestLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RequestLimitOptions>()
            .BindConfiguration(RequestLimitOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<RequestLimitOptions>>((kestrel, limits) =>
        {
            kestrel.Limits.MaxRequestBodySize = limits.Value.MaxBodyBytes;
            kestrel.Limits.MaxRequestLineSize = limits.Value.MaxRequestLineBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = limits.Value.MaxHeadersBytes;
            kestrel.Limits.MaxRequestHeaderCount = limits.Value.MaxHeaderCount;
        });
        return builder;
    }

    public static WebApplication UseRequestLimits(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var limit = BodyLimit(context);
            if (context.Request.ContentLength > limit)
            {
                await TooLarge(limit).ExecuteAsync(context);
                return;
            }
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } body)
            {
                body.MaxRequestBodySize = limit;
            }
            await next(context);
        });
        return app;
    }

    private static long BodyLimit(HttpContext context)
    {
        var route = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>();
        return route?.Config.Metadata?.TryGetValue(RouteMetadataKey, out var value) == true
            && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes)
            ? bytes
            : context.RequestServices.GetRequiredService<IOptions<RequestLimitOptions>>().Value.MaxBodyBytes;
    }

    private static ProblemHttpResult TooLarge(long limit) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request body too large",
        detail: string.Create(CultureInfo.InvariantCulture, $"This endpoint takes bodies of at most {limit} bytes."));
}
