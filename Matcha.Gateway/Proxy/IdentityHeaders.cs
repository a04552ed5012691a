using System.Net.Http.Headers;
using Microsoft.IdentityModel.JsonWebTokens;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Matcha.Gateway.Proxy;

/// <summary>
/// What a service learns about the caller comes from the gateway alone: every client-supplied
/// identity header (any case, <c>-</c> or <c>_</c>, every duplicate) and the client's own
/// Authorization are removed, and an authenticated caller's request gets a fresh internal
/// token for the one target service.
/// </summary>
internal static class IdentityHeaders
{
    private static readonly string[] ForgeablePrefixes =
        ["x-user", "x-matcha", "x-forwarded-user", "x-remote-user", "x-authenticated", "remote-user"];

    public static bool IsClientIdentityHeader(string name)
    {
        var normalized = name.Replace('_', '-').ToLowerInvariant();
        return normalized is "authorization" or "proxy-authorization"
            || ForgeablePrefixes.Any(prefix => normalized.StartsWith(prefix, StringComparison.Ordinal));
    }

    public static void AddIdentityTransform(TransformBuilderContext context)
    {
        // The route's cluster is the service the request goes to, and so the token's audience.
        var audience = context.Route.ClusterId;
        context.AddRequestTransform(transform =>
        {
            Strip(transform.ProxyRequest.Headers);
            if (transform.ProxyRequest.Content is { } content)
            {
                Strip(content.Headers);
            }

            var user = transform.HttpContext.User;
            if (audience is not null && user.Identity?.IsAuthenticated == true && user.HasClaim(c => c.Type == JwtRegisteredClaimNames.Sub))
            {
                var minter = transform.HttpContext.RequestServices.GetRequiredService<InternalTokenMinter>();
                transform.ProxyRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", minter.Mint(user, audience));
            }
            return ValueTask.CompletedTask;
        });
    }

    private static void Strip(HttpHeaders headers)
    {
        foreach (var name in headers.Select(h => h.Key).Where(IsClientIdentityHeader).ToList())
        {
            headers.Remove(name);
        }
    }
}
