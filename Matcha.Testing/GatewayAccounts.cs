using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Matcha.Testing;

public sealed record SignedUpUser(string Email, string Password, string DisplayName);

public sealed record Tokens(string AccessToken, string RefreshToken, int ExpiresIn);

public sealed record ProfileView(Guid Id, string Email, string DisplayName, string[] Roles);

/// <summary>
/// Sign-up and sign-in through the gateway, as the web app does them: the one way tests and
/// benchmarks make an account. A status other than the expected one throws, naming it.
/// </summary>
public static class GatewayAccounts
{
    public static SignedUpUser NewUser() =>
        new($"user-{Guid.NewGuid():N}@example.com", $"correct horse {Guid.NewGuid():N}", "Film Fan");

    public static async Task<SignedUpUser> SignUpAsync(this HttpClient gateway)
    {
        var user = NewUser();
        using var response = await gateway.PostAsJsonAsync("/api/accounts/signup", new { user.Email, user.Password, user.DisplayName });
        await ExpectAsync(response, HttpStatusCode.Created);
        return user;
    }

    public static async Task<Tokens> LoginAsync(this HttpClient gateway, SignedUpUser user) => await gateway.LoginAsync(user.Email, user.Password);

    public static async Task<Tokens> LoginAsync(this HttpClient gateway, string email, string password)
    {
        using var response = await gateway.PostAsJsonAsync("/api/accounts/login", new { email, password });
        await ExpectAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<Tokens>())!;
    }

    /// <summary>A new account, signed in: its tokens and its id as Accounts reports it.</summary>
    public static async Task<(Tokens Tokens, Guid Id)> SignUpAndLoginAsync(this HttpClient gateway)
    {
        var user = await gateway.SignUpAsync();
        var tokens = await gateway.LoginAsync(user);
        return (tokens, (await gateway.GetMeAsync(tokens.AccessToken)).Id);
    }

    public static async Task<ProfileView> GetMeAsync(this HttpClient client, string bearer, string path = "/api/accounts/me")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await client.SendAsync(request);
        await ExpectAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<ProfileView>())!;
    }

    private static async Task ExpectAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            throw new HttpRequestException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}: expected {(int)expected} {expected}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}",
                null, response.StatusCode);
        }
    }
}
