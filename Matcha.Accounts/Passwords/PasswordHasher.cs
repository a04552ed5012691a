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
/// <para>
/// Each hash fills 19 MiB of memory for its whole length (a large-object array the GC keeps
/// committed after it dies), so the endpoints hash through <see cref="HashAsync"/>,
/// <see cref="VerifyAsync"/> and <see cref="VerifyDecoyAsync"/>, which let at most
/// <see cref="MaxConcurrent"/> run at once (one per core by default) and queue the rest: a burst of
/// sign-ups or sign-ins costs the same CPU either way, and no longer one 19 MiB block per request in
/// flight (32 concurrent sign-ups grew Accounts from 209 to 563 MB, docs/performance.md).
/// </para>
/// </summary>
public sealed class PasswordHasher : IDisposable
{
    public const int MemoryKiB = 19 * 1024;
    public const int Iterations = 2;
    public const int Parallelism = 1;
    private const int SaltSize = 16;
    private const int HashSize = 32;

    public const string MeterName = "Matcha.Accounts.Passwords";
    public const string VerificationsInstrument = "matcha.accounts.password.verifications";
    public const string HashesInstrument = "matcha.accounts.password.hashes";
    public const string InProgressInstrument = "matcha.accounts.password.in_progress";
    public const string WaitingInstrument = "matcha.accounts.password.waiting";

    private readonly Lazy<string> _decoy;
    private readonly Counter<long> _verifications;
    private readonly Counter<long> _hashes;
    private readonly UpDownCounter<long> _inProgress;
    private readonly UpDownCounter<long> _waiting;
    private readonly SemaphoreSlim _gate;

    /// <param name="meters">Where the counters are created; a meter of its own without one.</param>
    /// <param name="maxConcurrent">Hashes run at once; <see cref="Environment.ProcessorCount"/> when not given.</param>
    public PasswordHasher(IMeterFactory? meters = null, int? maxConcurrent = null)
    {
        MaxConcurrent = maxConcurrent ?? Environment.ProcessorCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrent, 1, nameof(maxConcurrent));
        _gate = new SemaphoreSlim(MaxConcurrent, MaxConcurrent);
        _decoy = new(() => Hash("decoy password that nobody has"));
        // Every password hashed to be compared, decoys included: what the sign-in limits bound.
        var meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        _verifications = meter.CreateCounter<long>(VerificationsInstrument, description: "Passwords hashed to check them.");
        // Passwords hashed to store them: sign-up does this work whether or not the email is taken.
        _hashes = meter.CreateCounter<long>(HashesInstrument, description: "Passwords hashed to store them.");
        _inProgress = meter.CreateUpDownCounter<long>(InProgressInstrument, description: "Password hashes running now (at most one per core).");
        _waiting = meter.CreateUpDownCounter<long>(WaitingInstrument, description: "Password hashes waiting for a turn.");
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>How many hashes run at once; the rest wait their turn.</summary>
    public int MaxConcurrent { get; }

    public Task<string> HashAsync(string password, CancellationToken cancellationToken) =>
        InTurnAsync(() => Hash(password), cancellationToken);

    public Task<PasswordVerification> VerifyAsync(string storedHash, string password, CancellationToken cancellationToken) =>
        InTurnAsync(() => Verify(storedHash, password), cancellationToken);

    /// <summary>Spends the same time as a real check, so an unknown email answers as slowly as a known one.</summary>
    public Task VerifyDecoyAsync(string password, CancellationToken cancellationToken) =>
        InTurnAsync(() => Verify(_decoy.Value, password), cancellationToken);

    private async Task<T> InTurnAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        _waiting.Add(1);
        try
        {
            await _gate.WaitAsync(cancellationToken);
        }
        finally
        {
            _waiting.Add(-1);
        }
        _inProgress.Add(1);
        try
        {
            return work();
        }
        finally
        {
            _inProgress.Add(-1);
            _gate.Release();
        }
    }

    /// <summary>Not gated: the endpoints call <see cref="HashAsync"/>.</summary>
    internal string Hash(string password)
    {
        _hashes.Add(1);
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var hash = Argon2id(password, salt, MemoryKiB, Iterations, Parallelism, HashSize);
        return string.Create(CultureInfo.InvariantCulture,
            $"$argon2id$v=19$m={MemoryKiB},t={Iterations},p={Parallelism}${B64(salt)}${B64(hash)}");
    }

    /// <summary>Not gated: the endpoints call <see cref="VerifyAsync"/>.</summary>
    internal PasswordVerification Verify(string storedHash, string password)
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
