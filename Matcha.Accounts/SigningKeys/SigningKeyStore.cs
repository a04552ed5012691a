using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Matcha.Accounts.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Matcha.Accounts.SigningKeys;

internal sealed partial class SigningKeyStore(
    AccountsDbContext db,
    SigningKeyProtector protector,
    SigningCredentialsCache credentials,
    IOptions<SigningKeyOptions> options,
    TimeProvider clock,
    ILogger<SigningKeyStore> logger)
{
    public const string Algorithm = "ES256";

    /// <summary>Makes sure a key that this process can use for signing exists; creates one if not.</summary>
    public async Task EnsureActiveKeyAsync(CancellationToken cancellationToken)
    {
        var active = await db.SigningKeys.Where(k => k.RetiredAt == null).OrderByDescending(k => k.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        if (active is not null && CanDecrypt(active))
        {
            return;
        }
        if (active is not null)
        {
            LogUndecryptable(active.Kid);
        }
        await RotateAsync(cancellationToken);
    }

    /// <summary>Creates a new signing key and retires the previous ones; they stay published for a while.</summary>
    public async Task<string> RotateAsync(CancellationToken cancellationToken)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicKey = ecdsa.ExportSubjectPublicKeyInfo();
        var kid = Thumbprint(ecdsa.ExportParameters(includePrivateParameters: false));
        var now = clock.GetUtcNow();

        await db.SigningKeys.Where(k => k.RetiredAt == null)
            .ExecuteUpdateAsync(k => k.SetProperty(x => x.RetiredAt, now), cancellationToken);
        db.SigningKeys.Add(new SigningKey
        {
            Kid = kid,
            Algorithm = Algorithm,
            PublicKey = publicKey,
            ProtectedPrivateKey = protector.Protect(kid, ecdsa.ExportPkcs8PrivateKey()),
            CreatedAt = now,
        });
        await db.SaveChangesAsync(cancellationToken);
        LogCreated(kid);
        return kid;
    }

    /// <summary>The newest active key, ready to sign; decrypted once per process and kid.</summary>
    public async Task<SigningCredentials> GetSigningCredentialsAsync(CancellationToken cancellationToken)
    {
        var active = await db.SigningKeys.AsNoTracking()
            .Where(k => k.RetiredAt == null)
            .OrderByDescending(k => k.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken)
            ?? throw new InvalidOperationException("No active signing key; the bootstrapper creates one at start.");
        return credentials.GetOrAdd(active.Kid, kid =>
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(protector.Unprotect(kid, active.ProtectedPrivateKey), out _);
            return new SigningCredentials(new ECDsaSecurityKey(ecdsa) { KeyId = kid }, SecurityAlgorithms.EcdsaSha256);
        });
    }

    public async Task<JsonWebKeySet> GetPublishedKeysAsync(CancellationToken cancellationToken)
    {
        var oldestPublished = clock.GetUtcNow() - options.Value.PublishRetiredFor;
        var keys = await db.SigningKeys.AsNoTracking()
            .Where(k => k.RetiredAt == null || k.RetiredAt > oldestPublished)
            .OrderByDescending(k => k.CreatedAt)
            .ToListAsync(cancellationToken);
        return new JsonWebKeySet([.. keys.Select(ToJwk)]);
    }

    private bool CanDecrypt(SigningKey key)
    {
        try
        {
            protector.Unprotect(key.Kid, key.ProtectedPrivateKey);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static JsonWebKey ToJwk(SigningKey key)
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(key.PublicKey, out _);
        var q = ecdsa.ExportParameters(includePrivateParameters: false).Q;
        return new JsonWebKey("EC", "P-256", Base64Url.EncodeToString(q.X), Base64Url.EncodeToString(q.Y), key.Kid, key.Algorithm, "sig");
    }

    /// <summary>RFC 7638 thumbprint: SHA-256 over the canonical JSON of the required members.</summary>
    private static string Thumbprint(ECParameters parameters)
    {
        var canonical = $$"""{"crv":"P-256","kty":"EC","x":"{{Base64Url.EncodeToString(parameters.Q.X)}}","y":"{{Base64Url.EncodeToString(parameters.Q.Y)}}"}""";
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created signing key {Kid}")]
    private partial void LogCreated(string kid);

    [LoggerMessage(Level = LogLevel.Error, Message = "Signing key {Kid} cannot be decrypted with the configured Accounts:SigningKeys:EncryptionSecret; rotating to a new key")]
    private partial void LogUndecryptable(string kid);
}

/// <summary>Decrypted signing keys by kid, for the life of the process (keys are few and never change).</summary>
internal sealed class SigningCredentialsCache
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SigningCredentials> _byKid = new();

    public SigningCredentials GetOrAdd(string kid, Func<string, SigningCredentials> create) => _byKid.GetOrAdd(kid, create);
}

public sealed record JsonWebKeySet(IReadOnlyList<JsonWebKey> Keys);

public sealed record JsonWebKey(string Kty, string Crv, string X, string Y, string Kid, string Alg, string Use);
