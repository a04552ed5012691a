using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Matcha.Gateway.Screens;

/// <summary>
/// One document per screen of the web app, read from the services in parallel. A service that
/// fails, is slow or has an open circuit leaves its parts null and is named in
/// <c>unavailable</c> (with the reason in <c>reasons</c>); the screen still answers, within the
/// services' deadlines. A signed-in caller's document is personal: <c>Cache-Control: private, no-store</c>.
/// </summary>
internal static class ScreensApi
{
    public static WebApplication MapScreensApi(this WebApplication app)
    {
        var screens = app.MapGroup("/api/screens").WithTags("Screens").AddEndpointFilter(NeverSharedWhenPersonal)
            .AddEndpointFilter(TellWhatWasAsked);
        screens.MapGet("/home", HomeScreen.GetAsync).AllowAnonymous();
        screens.MapGet("/movie/{id:int}", MovieScreen.GetAsync).AllowAnonymous();
        screens.MapGet("/person/{id:int}", PersonScreen.GetAsync).AllowAnonymous();
        screens.MapGet("/me", MyScreen.GetAsync);   // closed by the fallback policy: signed-in callers only
        screens.MapGet("/rate-to-start", RateToStartScreen.GetAsync);   // the same
        return app;
    }

    public static bool IsSignedIn(this ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && user.HasClaim(c => c.Type == JwtRegisteredClaimNames.Sub);

    private static async ValueTask<object?> NeverSharedWhenPersonal(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        http.Response.Headers.CacheControl = http.User.IsSignedIn() ? "private, no-store" : "public, max-age=5";
        http.Response.Headers.Vary = "Authorization";
        return await next(context);
    }

    /// <summary>With <c>Gateway:Screens:ServerTiming</c> on, the requests the screen sent to each service, as <c>Server-Timing</c>.</summary>
    private static async ValueTask<object?> TellWhatWasAsked(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!http.RequestServices.GetRequiredService<IOptions<ScreenTimingOptions>>().Value.ServerTiming)
        {
            return await next(context);
        }
        var log = ScreenCallLog.Begin();
        var result = await next(context);
        // The result is written after the filters return: the headers can still be set.
        http.Response.Headers["Server-Timing"] = log.ToServerTiming();
        return result;
    }
}
