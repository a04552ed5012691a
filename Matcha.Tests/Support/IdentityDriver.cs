using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Matcha.Accounts.Data;
using Matcha.Accounts.SigningKeys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Matcha.Tests.Support;

/// <summary>
/// Accounts as the tests see it beyond signing up and in (which are Matcha.Testing's
/// <see cref="GatewayAccounts"/>, shared with bench/): refresh, profile, problems, its database and key.
/// </summary>
public static class IdentityDriver
{
    public static Task<HttpResponseMessage> RefreshAsync(this HttpClient gateway, string refreshToken) =>
        gateway.PostAsJsonAsync("/api/accounts/refresh", new { refreshToken });

    public static async Task<HttpStatusCode> MeStatusAsync(this HttpClient client, string? bearer, string path = "/api/accounts/me")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    public static async Task<HttpResponseMessage> PatchMeAsync(this HttpClient client, string? bearer, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, "/api/accounts/me") { Content = JsonContent.Create(body) };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        return await client.SendAsync(request);
    }

    /// <summary>The field names of a 400 validation problem.</summary>
    public static async Task<string[]> ProblemFieldsAsync(this HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return [.. problem.GetProperty("errors").EnumerateObject().Select(p => p.Name)];
    }

    public static async Task<string> ParameterAsync(this MatchaAppFixture fixture, string name)
    {
        var model = fixture.App.Services.GetRequiredService<DistributedApplicationModel>();
        var parameter = model.Resources.OfType<ParameterResource>().Single(p => p.Name == name);
        return (await parameter.GetValueAsync(CancellationToken.None))!;
    }

    public static async Task<AccountsDbContext> AccountsDbAsync(this MatchaAppFixture fixture)
    {
        var options = new DbContextOptionsBuilder<AccountsDbContext>()
            .UseNpgsql(await fixture.ConnectionStringAsync("accountsdb"))
            .UseSnakeCaseNamingConvention()
            .Options;
        return new AccountsDbContext(options);
    }

    public static async Task<T> ScalarAsync<T>(this MatchaAppFixture fixture, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("accountsdb"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters.AddWithValue($"p{i}", parameters[i]);
        }
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Accounts' active signing key, decrypted the way Accounts does it, with the AppHost's
    /// secret: the means to mint tokens that differ from real ones in one claim only.
    /// </summary>
    public static async Task<SigningCredentials> AccountsSigningKeyAsync(this MatchaAppFixture fixture)
    {
        var secret = await fixture.ParameterAsync("accounts-signing-secret");
        await using var db = await fixture.AccountsDbAsync();
        var key = await db.SigningKeys.Where(k => k.RetiredAt == null).OrderByDescending(k => k.CreatedAt).FirstAsync();
        var protector = new SigningKeyProtector(Options.Create(new SigningKeyOptions { EncryptionSecret = secret }));
        var ecdsa = System.Security.Cryptography.ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(protector.Unprotect(key.Kid, key.ProtectedPrivateKey), out _);
        return new SigningCredentials(new ECDsaSecurityKey(ecdsa) { KeyId = key.Kid }, SecurityAlgorithms.EcdsaSha256);
    }
}
