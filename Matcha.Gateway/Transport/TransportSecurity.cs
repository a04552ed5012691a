using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Net.Http.Headers;

namespace Matcha.Gateway.Transport;

public sealed class TrustedProxyOptions
{
    public const string Section = "Gateway:TrustedProxies";

    /// <summary>Addresses of the proxies (TLS terminators, load balancers) whose X-Forwarded-* the gateway believes; none by default.</summary>
    public string[] Addresses { get; set; } = [];

    /// <summary>The same as networks in CIDR form, e.g. 10.0.0.0/8.</summary>
    public string[] Networks { get; set; } = [];
}

/// <summary>
/// What the gateway tells browsers and believes about the transport. X-Forwarded-For and
/// X-Forwarded-Proto are believed only from the proxies configured in <c>Gateway:TrustedProxies</c>
/// (none by default: the gateway is the edge, and anyone could send those headers), so the scheme
/// that makes the session cookie <c>Secure</c> and the Origin check is the real one. Over https the
/// answer carries HSTS; every answer carries <c>X-Content-Type-Options: nosniff</c>; a signed-in
/// caller's answer, proxied or not, is <c>Cache-Control: private, no-store</c>.
/// </summary>
internal static class TransportSecurity
{
    public static IHostApplicationBuilder AddTransportSecurity(this IHostApplicationBuilder builder)
    {
        var proxies = builder.Configuration.GetSection(TrustedProxyOptions.Section).Get<TrustedProxyOptions>() ?? new();
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            // Empty lists would mean "believe anyone" to the middleware: with no proxy configured,
            // nothing forwarded is read at all.
            options.ForwardedHeaders = proxies.Addresses.Length + proxies.Networks.Length > 0
                ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto
                : ForwardedHeaders.None;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var address in proxies.Addresses)
            {
                options.KnownProxies.Add(IPAddress.Parse(address));
            }
            foreach (var network in proxies.Networks)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        builder.Services.AddHsts(options =>
        {
            options.MaxAge = TimeSpan.FromDays(365);
            options.IncludeSubDomains = true;
        });
        return builder;
    }

    /// <summary>First in the pipeline: the client's real address and scheme, HSTS over https, nosniff.</summary>
    public static WebApplication UseTransportSecurity(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseHsts();   // only on https requests, and never for localhost
        app.Use((context, next) =>
        {
            context.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
            return next(context);
        });
        return app;
    }

    /// <summary>After authentication: nothing answered to a signed-in caller is kept by a shared cache or the browser's disk.</summary>
    public static WebApplication UsePersonalAnswersNotStored(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            // The session endpoints answer with an access token, signed in or not.
            if (context.User.Identity?.IsAuthenticated == true || context.Request.Path.StartsWithSegments("/api/session"))
            {
                context.Response.OnStarting(() =>
                {
                    context.Response.Headers.CacheControl = "private, no-store";
                    // Once: a page the gateway kept (CatalogPageCache) already carries it.
                    if (!context.Response.Headers.Vary.Any(v => v?.Contains("Authorization", StringComparison.OrdinalIgnoreCase) == true))
                    {
                        context.Response.Headers.Append(HeaderNames.Vary, "Authorization");
                    }
                    return Task.CompletedTask;
                });
            }
            return next(context);
        });
        return app;
    }
}
