using Matcha.Accounts.Passwords;

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
        using var meters = new MeterFactory();
        using var hasher = new PasswordHasher(meters, maxConcurrent: 2);
        long running = 0, mostRunning = 0, mostWaiting = 0, waiting = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PasswordHasher.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, delta, _, _) =>
        {
            if (instrument.Name == PasswordHasher.InProgressInstrument)
            {
                var now = Interlocked.Add(ref running, delta);
                InterlockedMax(ref mostRunning, now);
            }
            else if (instrument.Name == PasswordHasher.WaitingInstrument)
            {
                var now = Interlocked.Add(ref waiting, delta);
                InterlockedMax(ref mostWaiting, now);
            }
        });
        listener.Start();

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
        Assert.Equal(2, Interlocked.Read(ref mostRunning));
        Assert.True(Interlocked.Read(ref mostWaiting) >= 1, "no hash waited for a turn");
        Assert.Equal(0, Interlocked.Read(ref running));
        Assert.Equal(0, Interlocked.Read(ref waiting));
    }

    private static void InterlockedMax(ref long most, long now)
    {
        long seen;
        while (now > (seen = Interlocked.Read(ref most)) && Interlocked.CompareExchange(ref most, now, seen) != seen)
        {
        }
    }

    private sealed class MeterFactory : System.Diagnostics.Metrics.IMeterFactory
    {
        private readonly List<System.Diagnostics.Metrics.Meter> _meters = [];

        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options)
        {
            var meter = new System.Diagnostics.Metrics.Meter(options.Name, options.Version, options.Tags, scope: this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
