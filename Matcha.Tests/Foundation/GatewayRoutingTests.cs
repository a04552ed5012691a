using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matcha.Tests.Infrastructure;

namespace Matcha.Tests.Foundation;

[Collection(MatchaAppCollectionDefinition.Name)]
public sealed class GatewayRoutingTests(MatchaAppFixture fixture)
{
    [Theory]
    [InlineData("/api/catalog/movies", "items")]
    [InlineData("/api/ratings/movies/1/comments", "items")]
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
    public async Task UnknownPathIsNotForwardedAnywhere()
    {
        using var client = fixture.CreateGatewayClient();

        using var response = await client.GetAsync("/api/nowhere/movies");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
