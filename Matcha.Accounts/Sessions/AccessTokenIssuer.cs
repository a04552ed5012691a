using Matcha.Accounts.SigningKeys;
using Matcha.Accounts.Users;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Matcha.Accounts.Sessions;

/// <summary>
/// Access tokens: ES256 JWTs (RFC 9068 <c>at+jwt</c>) signed with the active key from
/// accountsdb, its <c>kid</c> in the header, for the gateway's audience. <c>auth_time</c>
/// (OpenID Connect) says when the password was given, so a refreshed token is not a fresh sign-in.
/// </summary>
internal sealed class AccessTokenIssuer(SigningKeyStore keys, IOptions<TokenOptions> options, TimeProvider clock)
{
    public const string TokenType = "at+jwt";
    private static readonly JsonWebTokenHandler Handler = new();

    public TimeSpan Lifetime => options.Value.AccessTokenLifetime;

    public async Task<string> IssueAsync(User user, Guid sessionId, DateTimeOffset signedInAt, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = options.Value.Audience,
            TokenType = TokenType,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            SigningCredentials = await keys.GetSigningCredentialsAsync(cancellationToken),
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = user.Id.ToString(),
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
                [JwtRegisteredClaimNames.AuthTime] = signedInAt.ToUnixTimeSeconds(),
                [InternalIdentity.NameClaim] = user.DisplayName,
                [InternalIdentity.RoleClaim] = user.Roles.ToArray(),
                [InternalIdentity.SessionClaim] = sessionId.ToString(),
            },
        });
    }
}
