using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Matcha.Accounts.SigningKeys;

/// <summary>
/// AES-256-GCM over the PKCS#8 private key, with a key derived (HKDF-SHA256) from the
/// configured secret and the kid as associated data, so a ciphertext cannot be moved to
/// another key's row. Written by hand because the BCL gives every primitive and no served
/// library encrypts a column with a key held outside the database.
/// </summary>
internal sealed class SigningKeyProtector(IOptions<SigningKeyOptions> options)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] Info = "matcha/accounts/signing-keys/v1"u8.ToArray();

    private readonly byte[] _key = HKDF.DeriveKey(
        HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(options.Value.EncryptionSecret!), 32, salt: [], info: Info);

    public byte[] Protect(string kid, ReadOnlySpan<byte> privateKey)
    {
        var output = new byte[NonceSize + privateKey.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, privateKey, output.AsSpan(NonceSize, privateKey.Length), output.AsSpan(NonceSize + privateKey.Length), Encoding.UTF8.GetBytes(kid));
        return output;
    }

    /// <exception cref="AuthenticationTagMismatchException">The secret changed or the row was tampered with.</exception>
    public byte[] Unprotect(string kid, ReadOnlySpan<byte> protectedKey)
    {
        var cipherLength = protectedKey.Length - NonceSize - TagSize;
        var plain = new byte[cipherLength];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(protectedKey[..NonceSize], protectedKey.Slice(NonceSize, cipherLength), protectedKey[(NonceSize + cipherLength)..], plain, Encoding.UTF8.GetBytes(kid));
        return plain;
    }
}
