using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matcha.Tests.Accounts;

[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class PasswordChangeTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task ChangingThePasswordEndsTheOtherSessionsAndKeepsThisOne()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = await gateway.SignUpAsync();
        var laptop = await gateway.LoginAsync(user);
        var phone = await gateway.LoginAsync(user);
        var newPassword = $"a brand new passphrase {Guid.NewGuid():N}";

        using (var wrong = await ChangeAsync(gateway, laptop.AccessToken, "not the password at all", newPassword))
        {
            Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
            Assert.Contains("currentPassword", await wrong.Content.ReadAsStringAsync());
        }
        using (var weak = await ChangeAsync(gateway, laptop.AccessToken, user.Password, "short"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
            var problem = await weak.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty("newPassword", out _), problem.ToString());
        }
        // Neither refusal changed anything: the old password still signs in.
        await gateway.LoginAsync(user);

        using (var changed = await ChangeAsync(gateway, laptop.AccessToken, user.Password, newPassword))
        {
            Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        }

        using (var phoneRefresh = await gateway.RefreshAsync(phone.RefreshToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, phoneRefresh.StatusCode);
        }
        using (var laptopRefresh = await gateway.RefreshAsync(laptop.RefreshToken))
        {
            Assert.Equal(HttpStatusCode.OK, laptopRefresh.StatusCode);
        }
        using (var oldPassword = await gateway.PostAsJsonAsync("/api/accounts/login", new { user.Email, user.Password }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, oldPassword.StatusCode);
        }
        await gateway.LoginAsync(user.Email, newPassword);
    }

    [Fact]
    public async Task ChangingThePasswordNeedsASignIn()
    {
        using var gateway = fixture.CreateGatewayClient();
        using var response = await gateway.PostAsJsonAsync("/api/accounts/me/password", new { currentPassword = "x", newPassword = "y" });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static Task<HttpResponseMessage> ChangeAsync(HttpClient gateway, string bearer, string currentPassword, string newPassword)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/accounts/me/password")
        {
            Content = JsonContent.Create(new { currentPassword, newPassword }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return gateway.SendAsync(request);
    }
}
