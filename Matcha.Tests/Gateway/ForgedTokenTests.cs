using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Matcha.Tests.Gateway;

/// <summary>
/// Every way of presenting a token the gateway must not accept. Each forged token names a
/// real victim and tries to rename them; afterwards the victim's name is unchanged.
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class ForgedTokenTests(MatchaAppFixture fixture)
{
    public static TheoryData<string> Forgeries =>
    [
        "alg none",
        "HS256 keyed with the public key",
        "unknown kid",
        "wrong issuer",
        "wrong audience",
        "expired",
        "not an access token type",
        "refresh token as access token",
        "internal token meant for a service",
    ];

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task ForgedAccessTokenIsRejectedAndChangesNothing(string forgery)
    {
        using var gateway = fixture.CreateGatewayClient();
        var (victim, victimId) = await gateway.SignUpAndLoginAsync();
        var token = await ForgeAsync(forgery, victimId, victim, gateway);

        using var response = await gateway.PatchMeAsync(token, new { displayName = "Hijacked" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Film Fan", (await gateway.GetMeAsync(victim.AccessToken)).DisplayName);
    }

    [Fact]
    public async Task ATokenMintedLikeTheForgeriesButCorrectIsAccepted()
    {
        // The control for the theory above: the same minting with every claim right works,
        // so each rejection is caused by the one thing that differs.
        using var gateway = fixture.CreateGatewayClient();
        var (_, id) = await gateway.SignUpAndLoginAsync();
        var credentials = await fixture.AccountsSigningKeyAsync();

        var token = Mint(credentials, id, issuer: "matcha-accounts", audience: "matcha-gateway", type: "at+jwt");

        Assert.Equal(HttpStatusCode.OK, await gateway.MeStatusAsync(token));
    }

    private async Task<string> ForgeAsync(string forgery, Guid victimId, Tokens victim, HttpClient gateway)
    {
        var real = await fixture.AccountsSigningKeyAsync();
        return forgery switch
        {
            "alg none" => Unsigned(victimId),
            "HS256 keyed with the public key" => Mint(
                new SigningCredentials(new SymmetricSecurityKey(await PublicKeyBytesAsync(gateway)) { KeyId = real.Key.KeyId }, SecurityAlgorithms.HmacSha256),
                victimId, "matcha-accounts", "matcha-gateway", "at+jwt"),
            "unknown kid" => Mint(
                new SigningCredentials(new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "made-up" }, SecurityAlgorithms.EcdsaSha256),
                victimId, "matcha-accounts", "matcha-gateway", "at+jwt"),
            "wrong issuer" => Mint(real, victimId, "https://evil.example", "matcha-gateway", "at+jwt"),
            "wrong audience" => Mint(real, victimId, "matcha-accounts", "accounts", "at+jwt"),
            "expired" => Mint(real, victimId, "matcha-accounts", "matcha-gateway", "at+jwt", expiresIn: TimeSpan.FromMinutes(-2)),
            "not an access token type" => Mint(real, victimId, "matcha-accounts", "matcha-gateway", "JWT"),
            "refresh token as access token" => victim.RefreshToken,
            "internal token meant for a service" => await InternalTokenAsync(victimId, "accounts"),
            _ => throw new ArgumentOutOfRangeException(nameof(forgery)),
        };
    }

    private static readonly string[] AdminRole = ["admin"];

    /// <summary>A forger's token, an admin's by its claims; issued ten minutes before it expires, so even an expired one is well-formed.</summary>
    internal static string Mint(SigningCredentials credentials, Guid subject, string issuer, string audience, string type, TimeSpan? expiresIn = null)
    {
        var expires = DateTime.UtcNow + (expiresIn ?? TimeSpan.FromMinutes(5));
        return TestTokens.Mint(credentials, subject.ToString(), issuer, audience, type, expires - TimeSpan.FromMinutes(10), expires,
            new Dictionary<string, object> { ["name"] = "Forger", ["role"] = AdminRole });
    }

    internal async Task<string> InternalTokenAsync(Guid subject, string audience) =>
        Mint(TestTokens.GatewayCredentials(await fixture.ParameterAsync("gateway-signing-key")),
            subject, TestTokens.GatewayIssuer, audience, TestTokens.InternalTokenType, TimeSpan.FromSeconds(30));

    private static string Unsigned(Guid subject)
    {
        var header = Base64Url.EncodeToString("""{"alg":"none","typ":"at+jwt"}"""u8);
        var exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
        var payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            $$"""{"iss":"matcha-accounts","aud":"matcha-gateway","sub":"{{subject}}","name":"Forger","exp":{{exp}}}"""));
        return $"{header}.{payload}.";
    }

    /// <summary>The classic confusion attack keys HMAC with the verifier's public key, here as PEM.</summary>
    private static async Task<byte[]> PublicKeyBytesAsync(HttpClient gateway)
    {
        var jwks = await gateway.GetFromJsonAsync<JsonElement>("/api/accounts/.well-known/jwks.json");
        var key = jwks.GetProperty("keys")[0];
        using var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64Url.DecodeFromChars(key.GetProperty("x").GetString()), Y = Base64Url.DecodeFromChars(key.GetProperty("y").GetString()) },
        });
        return Encoding.UTF8.GetBytes(ecdsa.ExportSubjectPublicKeyInfoPem());
    }
}

/// <summary>Identity headers a client makes up are ignored; only the token counts.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class ForgedIdentityHeaderTests(MatchaAppFixture fixture)
{
    public static TheoryData<string> Spellings =>
        ["X-User-Id", "x-user-id", "X-USER-ID", "X_User_Id", "x-user", "X-User-Roles", "X-Matcha-User", "X-Forwarded-User", "x_forwarded_user"];

    [Theory]
    [MemberData(nameof(Spellings))]
    public async Task ForgedIdentityHeaderWithoutATokenIsAnonymous(string header)
    {
        using var gateway = fixture.CreateGatewayClient();
        var (_, victimId) = await gateway.SignUpAndLoginAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/accounts/me");
        request.Headers.TryAddWithoutValidation(header, victimId.ToString());
        request.Headers.TryAddWithoutValidation(header, victimId.ToString());
        using var response = await gateway.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ForgedIdentityHeadersBesideAValidTokenLoseToTheToken()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (victim, victimId) = await gateway.SignUpAndLoginAsync();
        var (attacker, attackerId) = await gateway.SignUpAndLoginAsync();

        using var request = new HttpRequestMessage(HttpMethod.Patch, "/api/accounts/me") { Content = JsonContent.Create(new { displayName = "Renamed" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", attacker.AccessToken);
        foreach (var header in Spellings)
        {
            request.Headers.TryAddWithoutValidation(header, victimId.ToString());
        }
        using var response = await gateway.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(attackerId, (await response.Content.ReadFromJsonAsync<ProfileView>())!.Id);
        Assert.Equal("Renamed", (await gateway.GetMeAsync(attacker.AccessToken)).DisplayName);
        Assert.Equal("Film Fan", (await gateway.GetMeAsync(victim.AccessToken)).DisplayName);
    }
}

/// <summary>A service reached around the gateway trusts nothing but the gateway's token for it.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class DirectServiceCallTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task ForgedHeaderStraightToTheServiceIsAnonymous()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (_, victimId) = await gateway.SignUpAndLoginAsync();
        using var accounts = Direct("accounts");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.TryAddWithoutValidation("X-User-Id", victimId.ToString());
        using var response = await accounts.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task GatewayAudienceAccessTokenStraightToTheServiceIsRejected()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (tokens, _) = await gateway.SignUpAndLoginAsync();
        using var accounts = Direct("accounts");

        Assert.Equal(HttpStatusCode.Unauthorized, await accounts.MeStatusAsync(tokens.AccessToken, "/me"));
    }

    [Fact]
    public async Task InternalTokenForAnotherServiceIsRejected()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (_, id) = await gateway.SignUpAndLoginAsync();
        using var accounts = Direct("accounts");
        var forgeries = new ForgedTokenTests(fixture);

        Assert.Equal(HttpStatusCode.Unauthorized, await accounts.MeStatusAsync(await forgeries.InternalTokenAsync(id, "catalog"), "/me"));
        // Control: the same token for this service is what the gateway sends, and it works.
        Assert.Equal(HttpStatusCode.OK, await accounts.MeStatusAsync(await forgeries.InternalTokenAsync(id, "accounts"), "/me"));
    }

    private HttpClient Direct(string service) => new() { BaseAddress = fixture.App.GetEndpoint(service, "http") };
}
