using System.Buffers.Text;
using System.Security.Cryptography;
using Matcha.Accounts.Data;
using Matcha.Accounts.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Matcha.Accounts.Sessions;

/// <summary>
/// Refresh-token families: one per sign-in, rotated on every refresh. A token is consumed by
/// a conditional UPDATE (<c>used_at IS NULL</c>), so of two refreshes racing with one token
/// at most one wins; the loser, like any replay of a used token, revokes the whole family.
/// </summary>
internal sealed partial class SessionStore(
    AccountsDbContext db,
    AccessTokenIssuer accessTokens,
    IOptions<TokenOptions> options,
    TimeProvider clock,
    ILogger<SessionStore> logger)
{
    private const int TokenBytes = 32;

    public async Task<TokenPair> StartAsync(User user, CancellationToken cancellationToken)
    {
        var family = new SessionFamily { Id = Guid.CreateVersion7(), UserId = user.Id, CreatedAt = clock.GetUtcNow() };
        db.SessionFamilies.Add(family);
        return await IssueAsync(user, family.Id, family.CreatedAt, cancellationToken);
    }

    /// <summary>Null when the token is unknown, expired, revoked or already used (the last also revokes its family).</summary>
    public async Task<TokenPair?> RefreshAsync(string refreshToken, CancellationToken cancellationToken)
    {
        if (HashOf(refreshToken) is not { } hash)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        var token = await db.RefreshTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash)
            .Select(t => new { t.Id, t.FamilyId, t.ExpiresAt, t.Family.RevokedAt, t.Family.UserId, SignedInAt = t.Family.CreatedAt })
            .SingleOrDefaultAsync(cancellationToken);
        // A session ends SessionLifetime after its sign-in, however often it was refreshed.
        if (token is null || token.RevokedAt is not null || token.ExpiresAt <= now || token.SignedInAt + options.Value.SessionLifetime <= now)
        {
            return null;
        }

        var consumed = await db.RefreshTokens
            .Where(t => t.Id == token.Id && t.UsedAt == null && t.Family.RevokedAt == null)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.UsedAt, now), cancellationToken);
        if (consumed == 0)
        {
            await RevokeFamilyAsync(token.FamilyId, cancellationToken);
            LogReplay(token.FamilyId, token.UserId);
            return null;
        }

        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == token.UserId && u.DeletionRequestedAt == null, cancellationToken);
        return user is null ? null : await IssueAsync(user, token.FamilyId, token.SignedInAt, cancellationToken);
    }

    /// <summary>Ends the sign-in the token belongs to. Unknown tokens are ignored: sign-out is idempotent.</summary>
    public async Task RevokeAsync(string refreshToken, CancellationToken cancellationToken)
    {
        if (HashOf(refreshToken) is not { } hash)
        {
            return;
        }
        var familyId = await db.RefreshTokens.Where(t => t.TokenHash == hash).Select(t => (Guid?)t.FamilyId).SingleOrDefaultAsync(cancellationToken);
        if (familyId is { } id)
        {
            await RevokeFamilyAsync(id, cancellationToken);
        }
    }

    private Task<int> RevokeFamilyAsync(Guid familyId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return db.SessionFamilies.Where(f => f.Id == familyId && f.RevokedAt == null)
            .ExecuteUpdateAsync(f => f.SetProperty(x => x.RevokedAt, now), cancellationToken);
    }

    /// <param name="signedInAt">When the password was given for this family: a refreshed token keeps it as its <c>auth_time</c>.</param>
    private async Task<TokenPair> IssueAsync(User user, Guid familyId, DateTimeOffset signedInAt, CancellationToken cancellationToken)
    {
        var secret = RandomNumberGenerator.GetBytes(TokenBytes);
        var now = clock.GetUtcNow();
        db.RefreshTokens.Add(new RefreshToken
        {
            Id = Guid.CreateVersion7(),
            FamilyId = familyId,
            TokenHash = SHA256.HashData(secret),
            CreatedAt = now,
            ExpiresAt = Min(now + options.Value.RefreshTokenLifetime, signedInAt + options.Value.SessionLifetime),
        });
        await db.SaveChangesAsync(cancellationToken);
        var accessToken = await accessTokens.IssueAsync(user, familyId, signedInAt, cancellationToken);
        return new TokenPair(accessToken, Base64Url.EncodeToString(secret), (int)accessTokens.Lifetime.TotalSeconds);
    }

    private static byte[]? HashOf(string refreshToken)
    {
        Span<byte> secret = stackalloc byte[TokenBytes + 3];
        return Base64Url.IsValid(refreshToken) && refreshToken.Length <= 64
            && Base64Url.TryDecodeFromChars(refreshToken, secret, out var written) && written == TokenBytes
            ? SHA256.HashData(secret[..TokenBytes])
            : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refresh token replayed in session family {FamilyId} of user {UserId}; the family is revoked")]
    private partial void LogReplay(Guid familyId, Guid userId);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}

public sealed record TokenPair(string AccessToken, string RefreshToken, int ExpiresIn);
