using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matcha.Gateway.Proxy;
using Microsoft.IdentityModel.JsonWebTokens;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Matcha.Gateway.Screens;

/// <summary>
/// What one call to a service gave a screen: its JSON, or why there is none. A missing part
/// (404) is an answer; a failed one names its reason: <c>timeout</c>, <c>circuit-open</c>,
/// <c>unreachable</c> or <c>status-503</c>.
/// </summary>
internal readonly record struct Part(JsonNode? Value, bool NotFound, string? FailureReason)
{
    public bool Failed => FailureReason is not null;

    public static Part Of(JsonNode? value) => new(value, false, null);

    public static readonly Part Missing = new(null, true, null);

    public static Part Failure(string reason) => new(null, false, reason);
}

/// <summary>
/// Reads from a service for a screen, through the service's screen client (its own timeouts
/// and circuit), as the caller: a signed-in caller's request carries a fresh internal token for
/// that one service, minted as the proxy mints it; an anonymous caller's carries none.
/// </summary>
internal sealed partial class ServiceReader(IHttpClientFactory clients, InternalTokenMinter minter, ILogger<ServiceReader> logger)
{
    public async Task<Part> GetAsync(string service, string path, ClaimsPrincipal caller, CancellationToken cancellationToken)
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
                return Part.Missing;
            }
            if (!response.IsSuccessStatusCode)
            {
                LogFailed(service, path, $"status {(int)response.StatusCode}");
                return Part.Failure($"status-{(int)response.StatusCode}");
            }
            return Part.Of(await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken));
        }
        catch (BrokenCircuitException)
        {
            return Part.Failure("circuit-open");
        }
        catch (TimeoutRejectedException)
        {
            LogFailed(service, path, "timeout");
            return Part.Failure("timeout");
        }
        catch (HttpRequestException ex)
        {
            LogFailed(service, path, ex.Message);
            return Part.Failure("unreachable");
        }
        catch (JsonException ex)
        {
            LogFailed(service, path, ex.Message);
            return Part.Failure("bad-response");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Screen read from {Service} {Path} failed: {Reason}")]
    private partial void LogFailed(string service, string path, string reason);
}

/// <summary>The parts of a screen that could not be had, and why, as the screen document reports them.</summary>
internal sealed class Unavailable
{
    private readonly SortedDictionary<string, string> _reasons = new(StringComparer.Ordinal);

    /// <summary>Records a failed part under <paramref name="name"/>; returns the part's value, if any.</summary>
    public JsonNode? Take(string name, Part part)
    {
        if (part.Failed)
        {
            _reasons.TryAdd(name, part.FailureReason!);
        }
        return part.Value;
    }

    public void Add(string name, string reason) => _reasons.TryAdd(name, reason);

    public IReadOnlyList<string> Names => [.. _reasons.Keys];

    public IReadOnlyDictionary<string, string> Reasons => _reasons;
}
