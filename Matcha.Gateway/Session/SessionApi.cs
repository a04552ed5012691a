using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Http.Resilience;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Matcha.Gateway.Session;

/// <summary>
/// The web app's session, kept by the gateway (a small backend-for-frontend): the refresh token
/// lives only in an HttpOnly, SameSite=Strict cookie scoped to <c>/api/session</c> (Secure on
/// https), so page scripts never see it; the page receives the short-lived access token and
/// holds it in memory. A reload calls <c>refresh</c>, which the cookie alone authorises. Each
/// call must carry <c>X-Matcha-Session: 1</c> (a header a cross-site form cannot send, and a
/// cross-site script cannot without a CORS preflight the gateway never grants) and, when the
/// browser sends an Origin, it must be the gateway's own.
/// </summary>
internal static class SessionApi
{
    public const string CookieName = "matcha_session";
    public const string CookiePath = "/api/session";
    public const string RequiredHeader = "X-Matcha-Session";
    private const string AccountsClient = "session-accounts";

    public static IHostApplicationBuilder AddSessionApi(this IHostApplicationBuilder builder)
    {
        // Sign-in and refresh are not safe to repeat (a repeated refresh would replay a spent token
        // and revoke the session): no retries, a short deadline.
        builder.Services.AddHttpClient(AccountsClient, http => http.BaseAddress = new Uri("http://accounts"))
            .ReplaceDefaultResilience()
            .AddStandardResilienceHandler(options =>
            {
                options.Retry.DisableForUnsafeHttpMethods();
                options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(10);
            });
        return builder;
    }

    public static WebApplication MapSessionApi(this WebApplication app)
    {
        var session = app.MapGroup(CookiePath).WithTags("Session").AllowAnonymous().AddEndpointFilter(RequireSameSiteRequest);
        session.MapPost("/login", Login).WithSummary("Signs in: the access token in the body, the refresh token in an HttpOnly cookie.");
        session.MapPost("/refresh", Refresh).WithSummary("A new access token for the session in the cookie (on every page load).");
        session.MapPost("/logout", Logout).WithSummary("Ends the session in Accounts and clears the cookie.");
        return app;
    }

    private static async ValueTask<object?> RequireSameSiteRequest(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        if (request.Headers[RequiredHeader] != "1")
        {
            return TypedResults.Problem($"Session requests must carry the header {RequiredHeader}: 1.", title: "Not from the web app", statusCode: StatusCodes.Status403Forbidden);
        }
        if (request.Headers.Origin is [{ } origin] && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem("Session requests are only accepted from the web app's own origin.", title: "Cross-site request", statusCode: StatusCodes.Status403Forbidden);
        }
        return await next(context);
    }

    private static async Task<IResult> Login(JsonObject? body, HttpContext context, IHttpClientFactory clients, CancellationToken ct)
    {
        using var response = await SendAsync(clients, context, "/login", body ?? [], ct);
        return await ToSessionResultAsync(response, context, signInFailed: "The email or password is not right.", ct);
    }

    private static async Task<IResult> Refresh(HttpContext context, IHttpClientFactory clients, CancellationToken ct)
    {
        if (context.Request.Cookies[CookieName] is not { Length: > 0 } refreshToken)
        {
            return TypedResults.Problem("Not signed in.", title: "No session", statusCode: StatusCodes.Status401Unauthorized);
        }
        using var response = await SendAsync(clients, context, "/refresh", new JsonObject { ["refreshToken"] = refreshToken }, ct);
        return await ToSessionResultAsync(response, context, signInFailed: "Your session has ended; please sign in again.", ct);
    }

    private static async Task<IResult> Logout(HttpContext context, IHttpClientFactory clients, CancellationToken ct)
    {
        if (context.Request.Cookies[CookieName] is { Length: > 0 } refreshToken)
        {
            using var response = await SendAsync(clients, context, "/logout", new JsonObject { ["refreshToken"] = refreshToken }, ct);
            if (response.StatusCode is not (HttpStatusCode.NoContent or HttpStatusCode.BadRequest))
            {
                return TypedResults.Problem("Signing out did not reach the accounts service; try again.", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }
        ClearCookie(context);
        return TypedResults.NoContent();
    }

    private static async Task<HttpResponseMessage> SendAsync(IHttpClientFactory clients, HttpContext context, string path, JsonObject body, CancellationToken ct)
    {
        try
        {
            return await SendOnceAsync(clients, context, path, body, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException)
        {
            // Accounts is away: the caller gets the same "not possible right now" as for a 5xx.
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        }
    }

    private static async Task<HttpResponseMessage> SendOnceAsync(IHttpClientFactory clients, HttpContext context, string path, JsonObject body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        // Accounts throttles sign-in guessing per client address, which it reads from X-Forwarded-For.
        if (context.Connection.RemoteIpAddress is { } address)
        {
            request.Headers.Add("X-Forwarded-For", address.ToString());
        }
        return await clients.CreateClient(AccountsClient).SendAsync(request, ct);
    }

    private static async Task<IResult> ToSessionResultAsync(HttpResponseMessage response, HttpContext context, string signInFailed, CancellationToken ct)
    {
        switch (response.StatusCode)
        {
            case HttpStatusCode.OK:
                var pair = await response.Content.ReadFromJsonAsync<TokenPair>(ct);
                if (pair is not { AccessToken.Length: > 0, RefreshToken.Length: > 0 })
                {
                    break;
                }
                context.Response.Cookies.Append(CookieName, pair.RefreshToken, new CookieOptions
                {
                    HttpOnly = true,
                    Secure = context.Request.IsHttps,
                    SameSite = SameSiteMode.Strict,
                    Path = CookiePath,
                    MaxAge = TimeSpan.FromDays(14),
                    IsEssential = true,
                });
                context.Response.Headers.CacheControl = "no-store";
                return TypedResults.Ok(new SessionToken(pair.AccessToken, pair.ExpiresIn));
            case HttpStatusCode.Unauthorized:
                ClearCookie(context);
                return TypedResults.Problem(signInFailed, title: "Not signed in", statusCode: StatusCodes.Status401Unauthorized);
            case HttpStatusCode.BadRequest or HttpStatusCode.TooManyRequests:
                // Accounts' own problem (the fields named, or when to try again) is already meant for the person.
                if (response.Headers.RetryAfter?.Delta is { } wait)
                {
                    context.Response.Headers.RetryAfter = ((int)wait.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                return TypedResults.Json(problem, statusCode: (int)response.StatusCode, contentType: "application/problem+json");
        }
        return TypedResults.Problem("Signing in is not possible right now; try again in a moment.", statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static void ClearCookie(HttpContext context) =>
        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = CookiePath, HttpOnly = true, Secure = context.Request.IsHttps, SameSite = SameSiteMode.Strict });

    private sealed record TokenPair(string AccessToken, string RefreshToken, int ExpiresIn);

    private sealed record SessionToken(string AccessToken, int ExpiresIn);
}
