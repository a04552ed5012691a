using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Matcha.Gateway.Authentication;

internal static class AccessTokenAuthentication
{
    public const string JwksClient = "accounts-jwks";

    /// <summary>
    /// Bearer access tokens from Accounts: ES256 only, <c>at+jwt</c>, issuer, audience and
    /// lifetime checked with at most 30 s of clock skew, keys from Accounts' JWKS (cached,
    /// fetched again on an unknown kid). Authorization is closed: every endpoint needs an
    /// authenticated user unless a route says <c>anonymous</c>.
    /// </summary>
    public static IHostApplicationBuilder AddAccessTokenAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AccessTokenOptions>()
            .BindConfiguration(AccessTokenOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHttpClient(JwksClient);

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AccessTokenOptions>, IHttpClientFactory>((jwt, options, httpClients) =>
            {
                var tokens = options.Value;
                jwt.MapInboundClaims = false;
                // Inside the cluster the JWKS travels over plain HTTP between Accounts and the gateway.
                var documents = new HttpDocumentRetriever(httpClients.CreateClient(JwksClient)) { RequireHttps = false };
                jwt.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(tokens.JwksUri, new JwksRetriever(), documents)
                {
                    AutomaticRefreshInterval = tokens.JwksRefreshInterval,
                    RefreshInterval = tokens.JwksMinimumRefreshInterval,
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
