using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace Matcha.Tests.Accounts;

[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class AccountInputTests(MatchaAppFixture fixture)
{
    private static readonly string[] AdminRole = ["admin"];

    public static TheoryData<string, string?, string?, string?> BadSignUps => new()
    {
        { "email", "not-an-email", "correct horse battery staple", "Ana" },
        { "email", "Ana <ana@example.com>", "correct horse battery staple", "Ana" },
        { "email", null, "correct horse battery staple", "Ana" },
        { "password", "ana@example.com", "short pass", "Ana" },
        { "password", "ana@example.com", new string('p', 129) + "q", "Ana" },
        { "password", "ana@example.com", "1234567890qwerty", "Ana" },
        { "password", "ana@example.com", null, "Ana" },
        { "displayName", "ana@example.com", "correct horse battery staple", null },
        { "displayName", "ana@example.com", "correct horse battery staple", new string('a', 51) },
    };

    [Theory]
    [MemberData(nameof(BadSignUps))]
    public async Task InvalidSignUpIsA400NamingTheFieldAndCreatesNoAccount(string field, string? email, string? password, string? displayName)
    {
        using var gateway = fixture.CreateGatewayClient();
        var unique = email?.Replace("ana@", $"ana-{Guid.NewGuid():N}@", StringComparison.Ordinal);

        using var response = await gateway.PostAsJsonAsync("/api/accounts/signup", new { email = unique, password, displayName });

        Assert.Equal([field], await response.ProblemFieldsAsync());
        if (unique is not null)
        {
            Assert.Equal(0L, await fixture.ScalarAsync<long>("select count(*) from users where email = @p0", unique.ToLowerInvariant()));
        }
    }

    [Fact]
    public async Task AnOverlongPasswordIsRefusedNamingTheFieldAndAnOversizedBodyBeforeItIsRead()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = GatewayAccounts.NewUser();

        // Within the gateway's 16 KB body limit, Accounts names the field that is too long ...
        using var overlong = await gateway.PostAsJsonAsync("/api/accounts/signup", new { user.Email, password = new string('x', 10_000), user.DisplayName });
        // ... and a megabyte is refused by the gateway with a 413 problem before anything reads it.
        using var huge = await gateway.PostAsJsonAsync("/api/accounts/signup", new { user.Email, password = new string('x', 1_000_000), user.DisplayName });

        Assert.Equal(["password"], await overlong.ProblemFieldsAsync());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.Equal("application/problem+json", huge.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task MalformedJsonIsA400()
    {
        using var gateway = fixture.CreateGatewayClient();

        using var response = await gateway.PostAsync("/api/accounts/signup", new StringContent("{\"email\":", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task ATakenEmailGetsTheSameAnswerAsANewOneInAnyCase()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = await gateway.SignUpAsync();

        using var again = await gateway.PostAsJsonAsync("/api/accounts/signup",
            new { email = user.Email.ToUpperInvariant(), password = "another long passphrase", displayName = "Impostor" });
        using var fresh = await gateway.PostAsJsonAsync("/api/accounts/signup",
            new { GatewayAccounts.NewUser().Email, password = "another long passphrase", displayName = "Someone" });

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(fresh.StatusCode, again.StatusCode);
        Assert.Equal(
            (await fresh.Content.ReadFromJsonAsync<Dictionary<string, string>>())!.Keys,
            (await again.Content.ReadFromJsonAsync<Dictionary<string, string>>())!.Keys);
        // The original account and password are untouched.
        var tokens = await gateway.LoginAsync(user);
        Assert.Equal("Film Fan", (await gateway.GetMeAsync(tokens.AccessToken)).DisplayName);
        Assert.Equal(1L, await fixture.ScalarAsync<long>("select count(*) from users where email = @p0", user.Email));
    }

    [Fact]
    public async Task SignInIgnoresTheCaseOfTheEmail()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = await gateway.SignUpAsync();

        var tokens = await gateway.LoginAsync(user.Email.ToUpperInvariant(), user.Password);

        Assert.Equal(user.Email, (await gateway.GetMeAsync(tokens.AccessToken)).Email);
    }

    [Fact]
    public async Task PatchMeChangesOnlyTheDisplayName()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (tokens, id) = await gateway.SignUpAndLoginAsync();
        var before = await gateway.GetMeAsync(tokens.AccessToken);

        using var response = await gateway.PatchMeAsync(tokens.AccessToken, new
        {
            id = Guid.NewGuid(),
            handle = Guid.NewGuid(),
            email = "taken-over@example.com",
            roles = AdminRole,
            passwordHash = "x",
            displayName = "New Name",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var after = await gateway.GetMeAsync(tokens.AccessToken);
        Assert.Equal(new ProfileView(id, before.Email, "New Name", [], before.Handle), after with { Roles = [] });
        Assert.Empty(after.Roles);
        Assert.Equal(0, await fixture.ScalarAsync<int>("select cardinality(roles) from users where id = @p0", id));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task PatchMeWithoutADisplayNameIsA400AndChangesNothing(string? displayName)
    {
        using var gateway = fixture.CreateGatewayClient();
        var (tokens, _) = await gateway.SignUpAndLoginAsync();

        using var response = await gateway.PatchMeAsync(tokens.AccessToken, new { displayName });

        Assert.Equal(["displayName"], await response.ProblemFieldsAsync());
        Assert.Equal("Film Fan", (await gateway.GetMeAsync(tokens.AccessToken)).DisplayName);
    }
}

[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class SessionInputTests(MatchaAppFixture fixture)
{
    public static TheoryData<string, string, string> BadRequests => new()
    {
        { "/api/accounts/login", """{"password":"correct horse battery staple"}""", "email" },
        { "/api/accounts/login", """{"email":"nobody@example.com"}""", "password" },
        { "/api/accounts/login", """{"email":"nobody","password":"correct horse battery staple"}""", "email" },
        { "/api/accounts/refresh", "{}", "refreshToken" },
        { "/api/accounts/logout", """{"refreshToken":""}""", "refreshToken" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task InvalidSessionRequestIsA400NamingTheField(string path, string json, string field)
    {
        using var gateway = fixture.CreateGatewayClient();

        using var response = await gateway.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal([field], await response.ProblemFieldsAsync());
    }
}
