using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Matcha.Accounts.Passwords;

public enum PasswordVerification
{
    Failed,
    Succeeded,
    /// <summary>Correct, but the hash is weaker than today's parameters: store <see cref="PasswordHasher.Hash"/> anew.</summary>
    SucceededRehashNeeded,
}

/// <summary>
/// Argon2id at OWASP's first recommended setting (19 MiB, 2 passes, 1 lane), stored as a PHC
/// string (<c>$argon2id$v=19$m=19456,t=2,p=1$salt$hash</c>) so each hash carries its own
/// parameters. Hashes with weaker parameters, and legacy PBKDF2-SHA256 ones
/// (<c>$pbkdf2-sha256$i=N$salt$hash</c>), still verify and are reported for upgrade.
/// </summary>
public sealed class PasswordHasher
{
    public const int MemoryKiB = 19 * 1024;
    public const int Iterations = 2;
    public const int Parallelism = 1;
    private const int SaltSize = 16;
    private const int HashSize = 32;

    public const string MeterName = "Matcha.Accounts.Passwords";
    public const string VerificationsInstrument = "matcha.accounts.password.verifications";
    public const string HashesInstrument = "matcha.accounts.password.hashes";

    private readonly Lazy<string> _decoy;
    private readonly Counter<long> _verifications;
    private readonly Counter<long> _hashes;

    public PasswordHasher(IMeterFactory? meters = null)
    {
        _decoy = new(() => Hash("decoy password that nobody has"));
        // Every password hashed to be compared, decoys included: what the sign-in limits bound.
        var meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        _verifications = meter.CreateCounter<long>(VerificationsInstrument, description: "Passwords hashed to check them.");
        // Passwords hashed to store them: sign-up does this work whether or not the email is taken.
        _hashes = meter.CreateCounter<long>(HashesInstrument, description: "Passwords hashed to store them.");
    }

    public string Hash(string password)
    {
        _hashes.Add(1);
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var hash = Argon2id(password, salt, MemoryKiB, Iterations, Parallelism, HashSize);
        return string.Create(CultureInfo.InvariantCulture,
            $"$argon2id$v=19$m={MemoryKiB},t={Iterations},p={Parallelism}${B64(salt)}${B64(hash)}");
    }

    public PasswordVerification Verify(string storedHash, string password)
    {
        _verifications.Add(1);
        var parts = storedHash.Split('$');
        return parts switch
        {
            ["", "argon2id", "v=19", var parameters, var salt, var hash] => VerifyArgon2id(parameters, salt, hash, password),
            ["", "pbkdf2-sha256", var parameters, var salt, var hash] => VerifyPbkdf2(parameters, salt, hash, password),
            _ => PasswordVerification.Failed,
        };
    }

    /// <summary>Spends the same time as a real check, so an unknown email answers as slowly as a known one.</summary>
    public void VerifyDecoy(string password) => Verify(_decoy.Value, password);

    private static PasswordVerification VerifyArgon2id(string parameters, string salt, string hash, string password)
    {
        var values = parameters.Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture));
        var (m, t, p) = (values["m"], values["t"], values["p"]);
        var expected = FromB64(hash);
        var actual = Argon2id(password, FromB64(salt), m, t, p, expected.Length);
        if (!CryptographicOperations.FixedTimeEquals(actual, expected))
        {
            return PasswordVerification.Failed;
        }
        return m < MemoryKiB || t < Iterations || expected.Length < HashSize
            ? PasswordVerification.SucceededRehashNeeded
            : PasswordVerification.Succeeded;
    }

    private static PasswordVerification VerifyPbkdf2(string parameters, string salt, string hash, string password)
    {
        var iterations = int.Parse(parameters.TrimStart('i', '='), CultureInfo.InvariantCulture);
        var expected = FromB64(hash);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), FromB64(salt), iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected)
            ? PasswordVerification.SucceededRehashNeeded
            : PasswordVerification.Failed;
    }

    private static byte[] Argon2id(string password, byte[] salt, int memoryKiB, int iterations, int parallelism, int size)
    {
        using var argon2 = new Konscious.Security.Cryptography.Argon2id(Encoding.UTF8.GetBytes(password))
        {
            Salt = salt,
            MemorySize = memoryKiB,
            Iterations = iterations,
            DegreeOfParallelism = parallelism,
        };
        return argon2.GetBytes(size);
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static byte[] FromB64(string text) => Convert.FromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));
}
