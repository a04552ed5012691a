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

public sealed class PasswordHasherTests
{
    private readonly PasswordHasher _hasher = new();

    [Fact]
    public void AHashVerifiesItsPasswordAndNoOther()
    {
        var hash = _hasher.Hash("correct horse battery staple");

        Assert.Equal(PasswordVerification.Succeeded, _hasher.Verify(hash, "correct horse battery staple"));
        Assert.Equal(PasswordVerification.Failed, _hasher.Verify(hash, "correct horse battery stapler"));
    }

    [Fact]
    public void HashesCarryOwaspArgon2idParametersAndAFreshSalt()
    {
        var first = _hasher.Hash("correct horse battery staple");
        var second = _hasher.Hash("correct horse battery staple");

        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", first, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void APbkdf2HashVerifiesAndAsksForAnUpgrade()
    {
        var salt = new byte[16];
        var derived = System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2("old password here"u8, salt, 1000, System.Security.Cryptography.HashAlgorithmName.SHA256, 32);
        var legacy = $"$pbkdf2-sha256$i=1000${Convert.ToBase64String(salt).TrimEnd('=')}${Convert.ToBase64String(derived).TrimEnd('=')}";

        Assert.Equal(PasswordVerification.SucceededRehashNeeded, _hasher.Verify(legacy, "old password here"));
        Assert.Equal(PasswordVerification.Failed, _hasher.Verify(legacy, "old password hers"));
    }

    [Fact]
    public void AnUnknownFormatNeverVerifies() =>
        Assert.Equal(PasswordVerification.Failed, _hasher.Verify("$md5$whatever", "anything at all here"));
}
