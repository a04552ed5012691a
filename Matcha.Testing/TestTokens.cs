using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Matcha.Testing;

/// <summary>
/// The one place tests and benchmarks mint a token: access tokens as Accounts issues them
/// (forged or exact, signed with whatever key a test has) and internal tokens as the gateway
/// mints them for a service.
/// </summary>
public static class TestTokens
{
    public const string AccountsIssuer = "matcha-accounts";
    public const string GatewayAudience = "matcha-gateway";
    public const string AccessTokenType = "at+jwt";
    public const string GatewayIssuer = "matcha-gateway";
    public const string InternalTokenType = "matcha-internal+jwt";

    /// <summary>A signed JWT; <paramref name="claims"/> come beside <c>sub</c>. Not-before is the issue time.</summary>
    public static string Mint(SigningCredentials credentials, string subject, string issuer, string audience, string type,
        DateTime issuedAt, DateTime expires, IReadOnlyDictionary<string, object>? claims = null)
    {
        var all = new Dictionary<string, object> { ["sub"] = subject };
        foreach (var (name, value) in claims ?? new Dictionary<string, object>())
        {
            all[name] = value;
        }
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            TokenType = type,
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = expires,
            SigningCredentials = credentials,
            Claims = all,
        });
    }

    /// <summary>The gateway's key for internal tokens, from the AppHost's <c>gateway-signing-key</c> parameter (PKCS#8, base64).</summary>
    public static SigningCredentials GatewayCredentials(string gatewaySigningKey)
    {
        var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(Convert.FromBase64String(gatewaySigningKey), out _);
        return new SigningCredentials(new ECDsaSecurityKey(ecdsa) { KeyId = "gateway" }, SecurityAlgorithms.EcdsaSha256);
    }
}
