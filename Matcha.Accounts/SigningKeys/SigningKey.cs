namespace Matcha.Accounts.SigningKeys;

/// <summary>
/// An asymmetric key that signs access tokens. The public half is stored as is
/// (SubjectPublicKeyInfo); the private half only encrypted (see <see cref="SigningKeyProtector"/>).
/// The newest key that is not retired signs; every key not retired for longer than a token
/// lives is published in the JWKS, so tokens signed before a rotation keep validating.
/// </summary>
public sealed class SigningKey
{
    public required string Kid { get; set; }
    public required string Algorithm { get; set; }
    public required byte[] PublicKey { get; set; }
    public required byte[] ProtectedPrivateKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RetiredAt { get; set; }
}
