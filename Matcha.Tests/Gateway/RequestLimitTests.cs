using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Matcha.Tests.Gateway;

/// <summary>The gateway's request limits (docs/security.md): 16 KB bodies, 4 KB request lines, 16 KB of at most 50 headers.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class RequestLimitTests(MatchaAppFixture fixture)
{
    private static readonly byte[] FiveMegabytes = Encoding.UTF8.GetBytes("{\"email\":\"" + new string('a', 5 * 1024 * 1024) + "\"}");

    [Fact]
    public async Task AFiveMegabyteSignInIsRefusedWith413BeforeItIsRead()
    {
        using var gateway = fixture.CreateGatewayClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/session/login") { Content = Json(FiveMegabytes) };
        request.Headers.Add("X-Matcha-Session", "1");
        // The client waits for the gateway's go-ahead before sending the body: the 413 comes first.
        request.Headers.ExpectContinue = true;

        using var response = await gateway.SendAsync(request);

        await AssertTooLargeAsync(response);
    }

    [Fact]
    public async Task ABodyJustOverSixteenKilobytesIsRefusedOnAProxiedWriteEvenWhenChunked()
    {
        using var gateway = fixture.CreateGatewayClient();
        var (tokens, _) = await gateway.SignUpAndLoginAsync();
        var body = Encoding.UTF8.GetBytes("{\"score\":4.5,\"pad\":\"" + new string('a', 16 * 1024) + "\"}");

        using var sized = Put(tokens.AccessToken, Json(body));
        using var chunked = Put(tokens.AccessToken, new StreamContent(new MemoryStream(body)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } });
        chunked.Headers.TransferEncodingChunked = true;
        using var sizedResponse = await gateway.SendAsync(sized);
        using var chunkedResponse = await gateway.SendAsync(chunked);

        await AssertTooLargeAsync(sizedResponse);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunkedResponse.StatusCode);
        // And a normal rating is still taken.
        using var normal = Put(tokens.AccessToken, JsonContent.Create(new { score = 4.5 }));
        using var normalResponse = await gateway.SendAsync(normal);
        Assert.True(normalResponse.IsSuccessStatusCode || normalResponse.StatusCode == HttpStatusCode.NotFound, $"{(int)normalResponse.StatusCode}");
    }

    [Fact]
    public async Task LongUrlsAndHugeHeadersAreRefused()
    {
        using var gateway = fixture.CreateGatewayClient();

        using var longUrl = await gateway.GetAsync("/api/catalog/movies?q=" + new string('a', 5000));
        using var manyHeaders = new HttpRequestMessage(HttpMethod.Get, "/api/catalog/movies");
        for (var i = 0; i < 60; i++)
        {
            manyHeaders.Headers.Add($"X-Padding-{i}", "x");
        }
        using var manyHeadersResponse = await gateway.SendAsync(manyHeaders);
        using var bigHeader = new HttpRequestMessage(HttpMethod.Get, "/api/catalog/movies");
        bigHeader.Headers.Add("X-Padding", new string('a', 20 * 1024));
        using var bigHeaderResponse = await gateway.SendAsync(bigHeader);

        Assert.Equal(HttpStatusCode.RequestUriTooLong, longUrl.StatusCode);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, manyHeadersResponse.StatusCode);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, bigHeaderResponse.StatusCode);
    }

    private static HttpRequestMessage Put(string accessToken, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "/api/ratings/movies/1/rating") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.ExpectContinue = true;
        return request;
    }

    private static ByteArrayContent Json(byte[] body) => new(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };

    private static async Task AssertTooLargeAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(413, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
    }
}
