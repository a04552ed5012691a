using System.Security.Cryptography;
using System.Text;

namespace Matcha.Tests.Accounts;

[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class PasswordStorageTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task StoredHashesAreArgon2idWithAtLeastOwaspParameters()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = await gateway.SignUpAsync();

        var hash = await fixture.ScalarAsync<string>("select password_hash from users where email = @p0", user.Email);

        AssertModernArgon2id(hash, user.Password);
    }

    [Fact]
    public async Task ALegacyPbkdf2HashIsUpgradedAtTheNextSignIn()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = await gateway.SignUpAsync();
        var salt = RandomNumberGenerator.GetBytes(16);
        var legacy = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(user.Password), salt, 10_000, HashAlgorithmName.SHA256, 32);
        await fixture.ScalarAsync<object>(
            "update users set password_hash = @p0 where email = @p1 returning id",
            $"$pbkdf2-sha256$i=10000${Convert.ToBase64String(salt).TrimEnd('=')}${Convert.ToBase64String(legacy).TrimEnd('=')}", user.Email);

        await gateway.LoginAsync(user);

        AssertModernArgon2id(await fixture.ScalarAsync<string>("select password_hash from users where email = @p0", user.Email), user.Password);
    }

    [Fact]
    public async Task AWeakArgon2idHashIsUpgradedAtTheNextSignIn()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = await gateway.SignUpAsync();
        var salt = RandomNumberGenerator.GetBytes(16);
        using var weak = new Konscious.Security.Cryptography.Argon2id(Encoding.UTF8.GetBytes(user.Password))
        {
            Salt = salt, MemorySize = 4096, Iterations = 1, DegreeOfParallelism = 1,
        };
        var weakHash = $"$argon2id$v=19$m=4096,t=1,p=1${Convert.ToBase64String(salt).TrimEnd('=')}${Convert.ToBase64String(weak.GetBytes(32)).TrimEnd('=')}";
        await fixture.ScalarAsync<object>("update users set password_hash = @p0 where email = @p1 returning id", weakHash, user.Email);

        await gateway.LoginAsync(user);

        AssertModernArgon2id(await fixture.ScalarAsync<string>("select password_hash from users where email = @p0", user.Email), user.Password);
    }

    private static void AssertModernArgon2id(string hash, string password)
    {
        var parts = hash.Split('$');
        Assert.Equal("argon2id", parts[1]);
        var parameters = parts[3].Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(parameters["m"] >= 19 * 1024, hash);
        Assert.True(parameters["t"] >= 2, hash);
        Assert.Equal(1, parameters["p"]);
        Assert.DoesNotContain(password, hash, StringComparison.Ordinal);
    }
}
