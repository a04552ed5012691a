using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Matcha.Gateway.Proxy;

public sealed class InternalTokenOptions
{
    public const string Section = "Gateway:InternalIdentity";

    /// <summary>The gateway's private P-256 key, base64 PKCS#8 (AppHost secret parameter <c>gateway-signing-key</c>).</summary>
    [Required(ErrorMessage = "Gateway:InternalIdentity:SigningKey must be set (the AppHost passes its 'gateway-signing-key' parameter).")]
    public string? SigningKey { get; set; }

    [Range(typeof(TimeSpan), "00:00:05", "00:01:00", ErrorMessage = "Gateway:InternalIdentity:Lifetime must be between 5 and 60 seconds.")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Mints the internal identity token a service trusts: ES256 with the gateway's own key, for
/// one audience (the target service), valid for seconds, carrying user id, name, roles and the sign-in time.
/// A token is reused for the same caller and audience during the first half of its life, so a
/// busy user costs one signature every few seconds rather than one per request; the claims
/// are part of the key, so a changed name or role gets a fresh token at once.
/// </summary>
internal sealed class InternalTokenMinter
{
    private const int MaxCachedTokens = 10_000;
    private static readonly JsonWebTokenHandler Handler = new();
    private readonly ConcurrentDictionary<(string Subject, string Name, string Roles, string AuthTime, string Session, string Audience), (string Token, DateTime ReuseUntil)> _recent = new();
    private readonly SigningCredentials _credentials;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _clock;

    public InternalTokenMinter(IOptions<InternalTokenOptions> options, TimeProvider clock)
    {
        var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(Convert.FromBase64String(options.Value.SigningKey!), out _);
        _credentials = new SigningCredentials(new ECDsaSecurityKey(ecdsa) { KeyId = "gateway" }, InternalIdentity.Algorithm);
        _lifetime = options.Value.Lifetime;
        _clock = clock;
    }

    public string Mint(ClaimsPrincipal user, string audience)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var roles = user.FindAll(InternalIdentity.RoleClaim).Select(c => c.Value).ToArray();
        var key = (user.FindFirstValue(JwtRegisteredClaimNames.Sub)!, user.FindFirstValue(InternalIdentity.NameClaim) ?? "", string.Join(' ', roles),
            user.FindFirstValue(JwtRegisteredClaimNames.AuthTime) ?? "", user.FindFirstValue(InternalIdentity.SessionClaim) ?? "", audience);
        if (_recent.TryGetValue(key, out var cached) && cached.ReuseUntil > now)
        {
            return cached.Token;
        }

        var token = Create(key.Item1, key.Item2, roles, key.Item4, key.Item5, audience, now);
        if (_recent.Count >= MaxCachedTokens)
        {
            _recent.Clear();   // a crude bound: a cleared entry only costs one signature
        }
        _recent[key] = (token, now + _lifetime / 2);
        return token;
    }

    private string Create(string subject, string name, string[] roles, string authTime, string session, string audience, DateTime now)
    {
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = subject,
            [InternalIdentity.NameClaim] = name,
            [InternalIdentity.RoleClaim] = roles,
        };
        // When the user last gave the password: a service asks for a fresh sign-in by it (Accounts' DELETE /me).
        if (long.TryParse(authTime, NumberStyles.None, CultureInfo.InvariantCulture, out var signedInAt))
        {
            claims[JwtRegisteredClaimNames.AuthTime] = signedInAt;
        }
        // The sign-in the request comes from: Accounts' password change keeps it and ends the others.
        if (session.Length > 0)
        {
            claims[InternalIdentity.SessionClaim] = session;
        }
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = InternalIdentity.Issuer,
            Audience = audience,
            TokenType = InternalIdentity.TokenType,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + _lifetime,
            SigningCredentials = _credentials,
            Claims = claims,
        });
    }
}
