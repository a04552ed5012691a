using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Matcha.Testing;

public sealed record SignedUpUser(string Email, string Password, string DisplayName);

public sealed record Tokens(string AccessToken, string RefreshToken, int ExpiresIn);

public sealed record ProfileView(Guid Id, string Email, string DisplayName, string[] Roles, Guid Handle);

/// <summary>
/// Sign-up and sign-in through the gateway, as the web app does them: the one way tests and
/// benchmarks make an account. A sign-up is verified as a person would: the link is read from
/// the AppHost's mail sink (<see cref="UseMailSink"/>) and opened. A status other than the
/// expected one throws, naming it.
/// </summary>
public static partial class GatewayAccounts
{
    private static readonly ConcurrentDictionary<string, Uri> MailSinks = new();
    private static readonly HttpClient Sink = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Mail sent by the AppHost behind <paramref name="gateway"/> lands in <paramref name="sink"/> (smtp4dev's web address).</summary>
    public static void UseMailSink(Uri gateway, Uri sink) => MailSinks[gateway.GetLeftPart(UriPartial.Authority)] = sink;

    /// <summary>The mail sink of the AppHost behind this gateway client.</summary>
    public static Uri MailSinkOf(HttpClient gateway) =>
        gateway.BaseAddress is { } address && MailSinks.TryGetValue(address.GetLeftPart(UriPartial.Authority), out var sink)
            ? sink
            : throw new InvalidOperationException($"No mail sink is known for the gateway at {gateway.BaseAddress}: call GatewayAccounts.UseMailSink after starting the AppHost.");

    /// <summary>
    /// The sink's REST API answered 500 now and then while 200 sign-ups searched it at once (the
    /// load benchmark); a read is harmless to repeat, so a 5xx is tried again twice.
    /// </summary>
    private static async Task<string> SinkGetAsync(Uri uri)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await Sink.GetStringAsync(uri);
            }
            catch (HttpRequestException ex) when (attempt < 3 && (int?)ex.StatusCode >= 500)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
        }
    }

    /// <summary>The plain-text bodies of every mail the sink holds for <paramref name="email"/>, oldest first.</summary>
    public static async Task<IReadOnlyList<string>> MailsToAsync(this HttpClient gateway, string email)
    {
        var sink = MailSinkOf(gateway);
        using var list = JsonDocument.Parse(await SinkGetAsync(new Uri(sink, $"/api/messages?searchTerms={Uri.EscapeDataString(email)}&pageSize=100")));
        var ids = list.RootElement.GetProperty("results").EnumerateArray()
            .Where(m => m.GetProperty("to").EnumerateArray().Any(to => string.Equals(to.GetString(), email, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(m => m.GetProperty("receivedDate").GetDateTimeOffset())
            .Select(m => m.GetProperty("id").GetString()!)
            .ToList();
        var bodies = new List<string>();
        foreach (var id in ids)
        {
            bodies.Add(await SinkGetAsync(new Uri(sink, $"/api/messages/{id}/plaintext")));
        }
        return bodies;
    }

    /// <summary>Waits (up to 30 s) until the sink holds at least <paramref name="count"/> mails for <paramref name="email"/>.</summary>
    public static async Task<IReadOnlyList<string>> WaitForMailsAsync(this HttpClient gateway, string email, int count = 1)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var mails = await gateway.MailsToAsync(email);
            if (mails.Count >= count)
            {
                return mails;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{mails.Count} mail(s) reached {email} within 30 s; expected {count}.");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>The token of the latest verification link mailed to <paramref name="email"/>.</summary>
    public static async Task<string> VerificationTokenAsync(this HttpClient gateway, string email, int mailCount = 1)
    {
        var mails = await gateway.WaitForMailsAsync(email, mailCount);
        return mails.Select(m => VerifyLink().Match(m)).LastOrDefault(m => m.Success)?.Groups["token"].Value
            ?? throw new InvalidOperationException($"No verification link in the mail to {email}.");
    }

    /// <summary>Opens the verification link, as the web app's /verify screen does.</summary>
    public static async Task<HttpResponseMessage> VerifyAsync(this HttpClient gateway, string token) =>
        await gateway.PostAsJsonAsync("/api/accounts/verify", new { token });

    [GeneratedRegex(@"/verify\?token=(?<token>[A-Za-z0-9_-]+)")]
    private static partial Regex VerifyLink();

    public static SignedUpUser NewUser() =>
        new($"user-{Guid.NewGuid():N}@example.com", $"correct horse {Guid.NewGuid():N}", "Film Fan");

    public static async Task<SignedUpUser> SignUpAsync(this HttpClient gateway)
    {
        var user = NewUser();
        using (var response = await gateway.PostAsJsonAsync("/api/accounts/signup", new { user.Email, user.Password, user.DisplayName }))
        {
            await ExpectAsync(response, HttpStatusCode.Created);
        }
        using var verified = await gateway.VerifyAsync(await gateway.VerificationTokenAsync(user.Email));
        await ExpectAsync(verified, HttpStatusCode.NoContent);
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
