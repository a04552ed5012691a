using System.Diagnostics.Metrics;
using Matcha.Accounts.Passwords;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Matcha.Tests.Accounts;

public sealed class PasswordPolicyTests
{
    [Theory]
    [InlineData("correct horse battery staple")]
    [InlineData("fifteen chars!!")]
    [InlineData("ünïcödé pässwörd ✓")]
    public void LongUncommonPasswordsAreAccepted(string password) => Assert.Null(PasswordPolicy.Check(password));

    [Theory]
    [InlineData("short")]
    [InlineData("fourteen chars")]
    public void PasswordsShorterThanFifteenAreRefused(string password) =>
        Assert.Contains("at least 15", PasswordPolicy.Check(password));

    [Fact]
    public void PasswordsLongerThan128AreRefused() =>
        Assert.Contains("at most 128", PasswordPolicy.Check(new string('x', 64) + new string('y', 65)));

    [Theory]
    [InlineData("1234567890qwerty")]
    [InlineData("QWERTYUIOP12345")]
    [InlineData("dragon1234567890")]
    [InlineData("Password123456789")]
    public void CommonPasswordsAndCommonPasswordsWithDigitsAreRefused(string password) =>
        Assert.Contains("too common", PasswordPolicy.Check(password));

    [Theory]
    [InlineData("aaaaaaaaaaaaaaaa")]
    [InlineData("abcabcabcabcabcabc")]
    [InlineData("matchamatchamatcha")]
    public void RepeatedPiecesAreRefused(string password) => Assert.Contains("repeats", PasswordPolicy.Check(password));

    [Fact]
    public void LengthCountsCharactersNotUtf16Units()
    {
        // 14 emoji are 28 UTF-16 units but 14 characters: too short.
        var password = string.Concat(Enumerable.Range(0, 14).Select(i => char.ConvertFromUtf32(0x1F600 + i)));
        Assert.Contains("at least 15", PasswordPolicy.Check(password));
    }
}

public sealed class PasswordHasherTests : IDisposable
{
    private readonly PasswordHasher _hasher = new();

    public void Dispose() => _hasher.Dispose();

    [Fact]
    public async Task AHashVerifiesItsPasswordAndNoOther()
    {
        var hash = await _hasher.HashAsync("correct horse battery staple", CancellationToken.None);

        Assert.Equal(PasswordVerification.Succeeded, await _hasher.VerifyAsync(hash, "correct horse battery staple", CancellationToken.None));
        Assert.Equal(PasswordVerification.Failed, await _hasher.VerifyAsync(hash, "correct horse battery stapler", CancellationToken.None));
    }

    [Fact]
    public async Task HashesCarryOwaspArgon2idParametersAndAFreshSalt()
    {
        var first = await _hasher.HashAsync("correct horse battery staple", CancellationToken.None);
        var second = await _hasher.HashAsync("correct horse battery staple", CancellationToken.None);

        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", first, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task APbkdf2HashVerifiesAndAsksForAnUpgrade()
    {
        var salt = new byte[16];
        var derived = System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2("old password here"u8, salt, 1000, System.Security.Cryptography.HashAlgorithmName.SHA256, 32);
        var legacy = $"$pbkdf2-sha256$i=1000${Convert.ToBase64String(salt).TrimEnd('=')}${Convert.ToBase64String(derived).TrimEnd('=')}";

        Assert.Equal(PasswordVerification.SucceededRehashNeeded, await _hasher.VerifyAsync(legacy, "old password here", CancellationToken.None));
        Assert.Equal(PasswordVerification.Failed, await _hasher.VerifyAsync(legacy, "old password hers", CancellationToken.None));
    }

    [Fact]
    public async Task AnUnknownFormatNeverVerifies() =>
        Assert.Equal(PasswordVerification.Failed, await _hasher.VerifyAsync("$md5$whatever", "anything at all here", CancellationToken.None));

    /// <summary>
    /// Each hash holds 19 MiB while it runs: a burst of sign-ins must queue for a core, not hold a
    /// block each. Watched through the counters an operator sees.
    /// </summary>
    [Fact]
    public async Task ABurstOfHashesRunsTwoAtATimeAndTheRestWaitTheirTurn()
    {
        // A meter factory of the test's own: other tests' hashers do not count here.
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var hasher = new PasswordHasher(meters, maxConcurrent: 2);
        using var running = new MetricCollector<long>(meters, PasswordHasher.MeterName, PasswordHasher.InProgressInstrument);
        using var waiting = new MetricCollector<long>(meters, PasswordHasher.MeterName, PasswordHasher.WaitingInstrument);

        // Threads of their own, released together: six requests truly at once, whatever the pool has free.
        var hashes = new string[6];
        using var together = new Barrier(hashes.Length);
        var threads = Enumerable.Range(0, hashes.Length).Select(i => new Thread(() =>
        {
            together.SignalAndWait();
            hashes[i] = hasher.HashAsync($"password number {i} of the burst", CancellationToken.None).GetAwaiter().GetResult();
        })).ToList();
        threads.ForEach(t => t.Start());
        await Task.Run(() => threads.ForEach(t => t.Join()));

        Assert.Equal(6, hashes.Distinct().Count());
        Assert.Equal(2, Most(running));
        Assert.True(Most(waiting) >= 1, "no hash waited for a turn");
        Assert.Equal(0, running.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(0, waiting.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    /// <summary>The highest an up-down counter stood, from its changes in the order they were recorded.</summary>
    private static long Most(MetricCollector<long> counter)
    {
        long now = 0, most = 0;
        foreach (var change in counter.GetMeasurementSnapshot())
        {
            most = Math.Max(most, now += change.Value);
        }
        return most;
    }
}
