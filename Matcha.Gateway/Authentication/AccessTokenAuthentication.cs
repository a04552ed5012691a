using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Matcha.Gateway.Authentication;

internal static class AccessTokenAuthentication
{
    public const string JwksClient = "accounts-jwks";

    /// <summary>
    /// Bearer access tokens from Accounts: ES256 only, <c>at+jwt</c>, issuer, audience and
    /// lifetime checked with at most 30 s of clock skew, keys from Accounts' JWKS (see
    /// <see cref="AccountsSigningKeys"/>); a token already validated is not verified again
    /// until it expires (see <see cref="ValidatedTokens"/>). Authorization is closed: every endpoint needs an
    /// authenticated user unless a route says <c>anonymous</c>.
    /// </summary>
    public static IHostApplicationBuilder AddAccessTokenAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AccessTokenOptions>()
            .BindConfiguration(AccessTokenOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHttpClient(JwksClient);
        builder.Services.AddSingleton<AccountsSigningKeys>();
        builder.Services.AddSingleton<ValidatedTokens>();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AccessTokenOptions>, AccountsSigningKeys, ValidatedTokens>((jwt, options, keys, validated) =>
            {
                var tokens = options.Value;
                jwt.MapInboundClaims = false;
                jwt.TokenHandlers.Clear();
                jwt.TokenHandlers.Add(new CachingTokenHandler(validated) { MapInboundClaims = false });
                jwt.Events = new JwtBearerEvents
                {
                    OnMessageReceived = context => keys.PrepareForAsync(context.Request.Headers.Authorization, context.HttpContext.RequestAborted),
                };
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = tokens.Issuer,
                    ValidAudience = tokens.Audience,
                    ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
                    ValidTypes = ["at+jwt"],
                    RequireSignedTokens = true,
                    RequireExpirationTime = true,
                    TryAllIssuerSigningKeys = false,
                    IssuerSigningKeyResolver = (_, _, kid, _) => keys.Find(kid),
                    ClockSkew = tokens.ClockSkew,
                    NameClaimType = InternalIdentity.NameClaim,
                    RoleClaimType = InternalIdentity.RoleClaim,
                };
            });

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        return builder;
    }
}
