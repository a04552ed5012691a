using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Matcha.ServiceDefaults;

/// <summary>
/// The identity a service trusts: only the gateway's internal token, signed with the
/// gateway's private key and addressed to this service. A service holds the public key
/// alone, so it can verify such a token but never mint one. A request without a valid one
/// is anonymous, and every endpoint that requires authorization answers it with 401. A token
/// already validated is not verified again until it expires (<see cref="ValidatedTokens"/>).
/// </summary>
public static class InternalIdentity
{
    public const string Issuer = "matcha-gateway";
    public const string TokenType = "matcha-internal+jwt";
    public const string Algorithm = SecurityAlgorithms.EcdsaSha256;
    public const string NameClaim = "name";
    public const string RoleClaim = "role";
    /// <summary>The sign-in (refresh-token family) a token was issued in: a password change keeps that session and ends the others.</summary>
    public const string SessionClaim = "sid";
    public const string AdminRole = "admin";

    /// <param name="audience">This service's name, as the gateway's cluster and the AppHost resource call it.</param>
    public static TBuilder AddInternalIdentity<TBuilder>(this TBuilder builder, string audience) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<InternalIdentityOptions>()
            .BindConfiguration(InternalIdentityOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => InternalIdentityOptions.TryImportPublicKey(o.PublicKey) is not null,
                $"{InternalIdentityOptions.Section}:PublicKey must be a base64 SubjectPublicKeyInfo of a P-256 key.")
            .ValidateOnStart();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<InternalIdentityOptions>>((jwt, identity) =>
            {
                jwt.MapInboundClaims = false;
                // The gateway reuses a token for half its life: its signature is verified once, not per request.
                jwt.TokenHandlers.Clear();
                jwt.TokenHandlers.Add(new CachingTokenHandler(new ValidatedTokens(TimeProvider.System)) { MapInboundClaims = false });
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = Issuer,
                    ValidAudience = audience,
                    ValidAlgorithms = [Algorithm],
                    ValidTypes = [TokenType],
                    IssuerSigningKey = new ECDsaSecurityKey(InternalIdentityOptions.TryImportPublicKey(identity.Value.PublicKey)!),
                    RequireSignedTokens = true,
                    RequireExpirationTime = true,
                    ClockSkew = identity.Value.ClockSkew,
                    NameClaimType = NameClaim,
                    RoleClaimType = RoleClaim,
                };
            });
        builder.Services.AddAuthorization();
        builder.Services.AddSingleton<InternalIdentityMarker>();
        return builder;
    }

    /// <summary>
    /// Authentication and authorization after the problem-details middleware, so a 401 or 403 is a
    /// problem document too (left to the framework, they would run first and answer with no body).
    /// Only in a service that called <see cref="AddInternalIdentity"/>; the gateway orders its own.
    /// </summary>
    internal static WebApplication UseInternalIdentity(this WebApplication app)
    {
        if (app.Services.GetService<InternalIdentityMarker>() is not null)
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }
        return app;
    }

    private sealed class InternalIdentityMarker;
}

public sealed class InternalIdentityOptions
{
    public const string Section = "InternalIdentity";

    /// <summary>The gateway's public key (base64 SubjectPublicKeyInfo), passed in by the AppHost.</summary>
    [Required(ErrorMessage = "InternalIdentity:PublicKey must be set (the AppHost passes its 'gateway-public-key' parameter).")]
    public string? PublicKey { get; set; }

    /// <summary>Gateway and services share a clock or nearly; the tokens live seconds.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(5);

    internal static ECDsa? TryImportPublicKey(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64))
        {
            return null;
        }
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(base64), out _);
            if (ecdsa.KeySize == 256)
            {
                return ecdsa;
            }
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
        }
        ecdsa.Dispose();
        return null;
    }
}
