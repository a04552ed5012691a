using System.Net;

namespace Matcha.Tests.Foundation;

/// <summary>
/// /health covers a service's dependencies, /alive only the process: with Redis stopped a
/// service is alive but not healthy, and healthy again once Redis is back.
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class HealthTests(MatchaAppFixture fixture)
{
    [Theory]
    [InlineData("catalog")]
    [InlineData("ratings")]
    [InlineData("accounts")]
    [InlineData("social")]
    public async Task EveryServiceIsHealthyWithItsDatabaseAndRedisUp(string service)
    {
        using var client = fixture.App.CreateHttpClient(service, "http");

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
    }

    [Fact]
    public async Task HealthReportsRedisDownWhileTheProcessStaysAlive()
    {
        using var catalog = fixture.App.CreateHttpClient("catalog", "http");
        await fixture.App.ResourceCommands.ExecuteCommandAsync("redis", KnownResourceCommands.StopCommand);
        try
        {
            var health = await PollAsync(catalog, "/health", HttpStatusCode.ServiceUnavailable);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health);
            Assert.Equal(HttpStatusCode.OK, (await catalog.GetAsync("/alive")).StatusCode);
        }
        finally
        {
            await fixture.StartAgainAsync("redis");   // waits out the old process and a start that lost the race for its port
        }

        Assert.Equal(HttpStatusCode.OK, await PollAsync(catalog, "/health", HttpStatusCode.OK));
    }

    private static async Task<HttpStatusCode> PollAsync(HttpClient client, string path, HttpStatusCode wanted)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        HttpStatusCode status;
        do
        {
            using var response = await client.GetAsync(path);
            status = response.StatusCode;
            if (status == wanted)
            {
                break;
            }
            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);
        return status;
    }
}
