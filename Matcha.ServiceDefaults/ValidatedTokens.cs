using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Matcha.ServiceDefaults;

/// <summary>
/// Tokens this process has already validated, by their exact text, until they expire: the gateway's
/// cache of Accounts' access tokens, and each service's of the gateway's internal tokens. A
/// signed-in page sends the same access token with every request for minutes, and the gateway
/// reuses an internal token for half its life; verifying an ES256 signature once instead of every
/// time takes the most expensive step off the per-request path (6 % of Ratings' CPU at load,
/// docs/performance.md). A hit is the identical string whose signature, issuer, audience, type and
/// algorithm were checked with the same parameters, so only the lifetime is checked again. A token
/// that is not in the cache is validated in full, and the cache is emptied when a signing key
/// disappears (the gateway: from Accounts' JWKS). The bound is crude: when full, expired entries
/// go, and if that is not enough, everything does (costing one verify each).
/// </summary>
public sealed class ValidatedTokens(TimeProvider clock)
{
    public const int MaxEntries = 50_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    public bool Contains(string token) => TryGet(token, TimeSpan.Zero, out _);

    public bool TryGet(string token, TimeSpan clockSkew, out Entry entry)
    {
        if (_entries.TryGetValue(token, out entry!) && clock.GetUtcNow().UtcDateTime <= entry.Token.ValidTo + clockSkew)
        {
            return true;
        }
        return false;
    }

    public void Add(string token, JsonWebToken validated, ClaimsIdentity identity)
    {
        if (_entries.Count >= MaxEntries)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            foreach (var expired in _entries.Where(e => e.Value.Token.ValidTo < now).Select(e => e.Key).ToList())
            {
                _entries.TryRemove(expired, out _);
            }
            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }
        }
        _entries[token] = new Entry(validated, identity);
    }

    /// <summary>Forgets every token, e.g. when Accounts withdrew a signing key.</summary>
    public void Clear() => _entries.Clear();

    public sealed record Entry(JsonWebToken Token, ClaimsIdentity Identity);
}

/// <summary>
/// The JWT handler JwtBearer uses, with <see cref="ValidatedTokens"/> in front: a cached
/// token yields a copy of the identity it had (handlers never share a mutable identity); any
/// other token is validated in full and, if valid, remembered.
/// </summary>
public sealed class CachingTokenHandler(ValidatedTokens validated) : JsonWebTokenHandler
{
    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (validated.TryGet(token, validationParameters.ClockSkew, out var hit))
        {
            return new TokenValidationResult
            {
                IsValid = true,
                SecurityToken = hit.Token,
                ClaimsIdentity = hit.Identity.Clone(),
                TokenType = hit.Token.Typ,
            };
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is JsonWebToken jwt && result.ClaimsIdentity is { } identity)
        {
            validated.Add(token, jwt, identity.Clone());
        }
        return result;
    }
}
