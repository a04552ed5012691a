using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using Matcha.Gateway.Proxy;
using Microsoft.IdentityModel.JsonWebTokens;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Matcha.Gateway.Screens;

/// <summary>
/// What one call to a service gave a screen: its document, or why there is none. A missing part
/// (404) is an answer; a failed one names its reason: <c>timeout</c>, <c>circuit-open</c>,
/// <c>unreachable</c> or <c>status-503</c>.
/// </summary>
internal readonly record struct Part<T>(T? Value, bool NotFound, string? FailureReason) where T : class
{
    public bool Failed => FailureReason is not null;

    public static Part<T> Of(T? value) => new(value, false, null);

    public static readonly Part<T> Missing = new(null, true, null);

    public static Part<T> Failure(string reason) => new(null, false, reason);
}

/// <summary>A list document from a service; the screens read its items and leave its cursor.</summary>
internal sealed record Page<T>(IReadOnlyList<T> Items);

/// <summary>
/// Reads from a service for a screen, through the service's screen client (its own timeouts
/// and circuit), as the caller: a signed-in caller's request carries a fresh internal token for
/// that one service, minted as the proxy mints it; an anonymous caller's carries none.
/// </summary>
internal sealed partial class ServiceReader(IHttpClientFactory clients, InternalTokenMinter minter, ILogger<ServiceReader> logger)
{
    public async Task<Part<T>> GetAsync<T>(string service, string path, ClaimsPrincipal caller, CancellationToken cancellationToken) where T : class
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (caller.Identity?.IsAuthenticated == true && caller.HasClaim(c => c.Type == JwtRegisteredClaimNames.Sub))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", minter.Mint(caller, service));
        }
        try
        {
            using var response = await clients.CreateClient(ScreenClients.ClientName(service)).SendAsync(request, cancellationToken);
            if (response.StatusCode is HttpStatusCode.NotFound)
            {
                return Part<T>.Missing;
            }
            if (!response.IsSuccessStatusCode)
            {
                LogFailed(service, path, $"status {(int)response.StatusCode}");
                return Part<T>.Failure($"status-{(int)response.StatusCode}");
            }
            return Part<T>.Of(await response.Content.ReadFromJsonAsync<T>(cancellationToken));
        }
        catch (BrokenCircuitException)
        {
            return Part<T>.Failure("circuit-open");
        }
        catch (TimeoutRejectedException)
        {
            LogFailed(service, path, "timeout");
            return Part<T>.Failure("timeout");
        }
        catch (HttpRequestException ex)
        {
            LogFailed(service, path, ex.Message);
            return Part<T>.Failure("unreachable");
        }
        catch (JsonException ex)
        {
            LogFailed(service, path, ex.Message);
            return Part<T>.Failure("bad-response");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Screen read from {Service} {Path} failed: {Reason}")]
    private partial void LogFailed(string service, string path, string reason);
}
