using System.Security.Claims;
using System.Security.Cryptography;
using Matcha.ServiceDefaults;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;

namespace Matcha.Tests.Gateway;

/// <summary>
/// The gateway verifies an access token's signature once and then trusts the identical text
/// until it expires. These tests pin what that cache may and may not do.
/// </summary>
public sealed class ValidatedAccessTokenCacheTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Start);
    private readonly ECDsaSecurityKey _key = new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "k1" };
    private int _keyLookups;

    [Fact]
    public async Task A_token_seen_before_is_not_verified_again_and_yields_the_same_user()
    {
        var handler = new CachingTokenHandler(new ValidatedTokens(_clock));
        var token = Token("user-1", lifetime: TimeSpan.FromMinutes(10));

        var first = await handler.ValidateTokenAsync(token, Parameters());
        var second = await handler.ValidateTokenAsync(token, Parameters());

        Assert.True(first.IsValid);
        Assert.True(second.IsValid);
        Assert.Equal("user-1", second.ClaimsIdentity.FindFirst("sub")?.Value);
        Assert.Equal(1, _keyLookups);
    }

    [Fact]
    public async Task A_cached_token_is_refused_once_it_expires()
    {
        var handler = new CachingTokenHandler(new ValidatedTokens(_clock));
        var token = Token("user-1", lifetime: TimeSpan.FromMinutes(10));
        Assert.True((await handler.ValidateTokenAsync(token, Parameters())).IsValid);

        _clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(31));

        Assert.False((await handler.ValidateTokenAsync(token, Parameters())).IsValid);
    }

    [Fact]
    public async Task A_token_that_failed_is_not_remembered_and_a_tampered_copy_of_a_cached_one_fails()
    {
        var tokens = new ValidatedTokens(_clock);
        var handler = new CachingTokenHandler(tokens);
        var token = Token("user-1", lifetime: TimeSpan.FromMinutes(10));
        var wrongAudience = Parameters();
        wrongAudience.ValidAudience = "catalog";

        Assert.False((await handler.ValidateTokenAsync(token, wrongAudience)).IsValid);
        Assert.Equal(0, tokens.Count);

        Assert.True((await handler.ValidateTokenAsync(token, Parameters())).IsValid);
        var parts = token.Split('.');
        var tampered = $"{parts[0]}.{parts[1]}.{(parts[2][0] == 'A' ? 'B' : 'A')}{parts[2][1..]}";
        Assert.False((await handler.ValidateTokenAsync(tampered, Parameters())).IsValid);
    }

    [Fact]
    public async Task Changing_the_identity_of_one_request_does_not_change_the_next()
    {
        var handler = new CachingTokenHandler(new ValidatedTokens(_clock));
        var token = Token("user-1", lifetime: TimeSpan.FromMinutes(10));
        await handler.ValidateTokenAsync(token, Parameters());

        var first = await handler.ValidateTokenAsync(token, Parameters());
        first.ClaimsIdentity.AddClaim(new Claim(InternalIdentity.RoleClaim, "admin"));
        var second = await handler.ValidateTokenAsync(token, Parameters());

        Assert.False(second.ClaimsIdentity.HasClaim(InternalIdentity.RoleClaim, "admin"));
    }

    private string Token(string subject, TimeSpan lifetime)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        return TestTokens.Mint(new SigningCredentials(_key, SecurityAlgorithms.EcdsaSha256), subject,
            TestTokens.AccountsIssuer, TestTokens.GatewayAudience, TestTokens.AccessTokenType, now, now + lifetime);
    }

    /// <summary>The gateway's parameters, with the lifetime read from the fake clock.</summary>
    private TokenValidationParameters Parameters() => new()
    {
        ValidIssuer = "matcha-accounts",
        ValidAudience = "matcha-gateway",
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        ValidTypes = ["at+jwt"],
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        IssuerSigningKeyResolver = (_, _, kid, _) =>
        {
            Interlocked.Increment(ref _keyLookups);
            return kid == _key.KeyId ? [_key] : [];
        },
        LifetimeValidator = (_, expires, _, parameters) =>
            expires is { } e && _clock.GetUtcNow().UtcDateTime <= e + parameters.ClockSkew,
    };
}
