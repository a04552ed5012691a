using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matcha.Tests.Gateway;

[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class GatewayRoutingTests(MatchaAppFixture fixture)
{
    [Theory]
    [InlineData("/api/catalog/movies", "items")]
    [InlineData("/api/accounts/.well-known/jwks.json", "keys")]
    public async Task EachServiceAnswersThroughTheGateway(string path, string property)
    {
        using var client = fixture.CreateGatewayClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Array, body.GetProperty(property).ValueKind);
    }

    [Fact]
    public async Task RatingsAnswersASignedInCallerThroughTheGateway()
    {
        using var client = fixture.CreateGatewayClient();
        var (tokens, _) = await client.SignUpAndLoginAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/ratings/movies/1/comments");
        request.Headers.Authorization = new("Bearer", tokens.AccessToken);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Array, body.GetProperty("items").ValueKind);
    }

    [Fact]
    public async Task UnknownPathIsNotForwardedAnywhere()
    {
        // Anonymous callers get 401 for every path not declared public; a signed-in one sees the 404.
        using var client = fixture.CreateGatewayClient();
        var (tokens, _) = await client.SignUpAndLoginAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/nowhere/movies");
        request.Headers.Authorization = new("Bearer", tokens.AccessToken);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
