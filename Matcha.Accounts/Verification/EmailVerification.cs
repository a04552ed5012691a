using System.Security.Cryptography;
using System.Text;

namespace Matcha.Accounts.Verification;

/// <summary>
/// A verification link's token, stored only as its SHA-256 hash (the database alone cannot
/// verify anyone). Deleted when used: a link verifies once.
/// </summary>
public sealed class EmailVerification
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public required byte[] TokenHash { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>A new unguessable token (256 bits, base64url) and the row that stands for it.</summary>
    public static (string Token, EmailVerification Row) Create(Guid userId, DateTimeOffset expiresAt)
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (token, new EmailVerification { UserId = userId, TokenHash = Hash(token), ExpiresAt = expiresAt });
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
