using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matcha.Tests.Social;

/// <summary>Finding members by display name, through the gateway.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class MemberSearchTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task AFragmentOfANameFindsItsMembersCaseInsensitivelyTheExactNameFirst()
    {
        using var gateway = fixture.CreateGatewayClient();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var longer = await MemberNamedAsync(gateway, $"Ji-woo {tag} Park");
        var exact = await MemberNamedAsync(gateway, $"ji-woo {tag}");
        var other = await MemberNamedAsync(gateway, $"Min-jun {tag}");

        var found = await EventuallyFoundAsync(gateway, exact.Fan, $"JI-WOO {tag.ToUpperInvariant()}", 2);
        Assert.Equal([exact.Handle, longer.Handle], found.Select(m => m.Handle));

        var everyone = await EventuallyFoundAsync(gateway, exact.Fan, tag, 3);
        Assert.Equal(new[] { longer.Handle, exact.Handle, other.Handle }.Order(), everyone.Select(m => m.Handle).Order());
        Assert.Equal($"Min-jun {tag}", everyone.Single(m => m.Handle == other.Handle).DisplayName);
    }

    [Fact]
    public async Task WildcardsInTheQueryAreLiteralAndBadQueriesAreA400NamingTheField()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        Assert.Empty(await SearchAsync(gateway, fan, $"%_{Guid.NewGuid():N}"));

        string[][] bad =
        [
            ["", "query"], ["query=", "query"], ["query=%20%20", "query"], [$"query={new string('a', 51)}", "query"],
            ["query=a%00b", "query"], ["query=ji&pageSize=0", "pageSize"], ["query=ji&pageSize=51", "pageSize"],
        ];
        foreach (var (parameters, field) in bad.Select(b => (b[0], b[1])))
        {
            using var response = await gateway.SendAsync(fan, HttpMethod.Get, $"/api/social/members?{parameters}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _), parameters);
        }
        using var anonymous = await gateway.GetAsync("/api/social/members?query=ji");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    private sealed record Named(Fan Fan, Guid Handle);

    private static async Task<Named> MemberNamedAsync(HttpClient gateway, string name)
    {
        var fan = await gateway.NewFanAsync();
        using (var patch = await gateway.PatchMeAsync(fan.AccessToken, new { displayName = name }))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }
        return new Named(fan, (await gateway.GetMeAsync(fan.AccessToken)).Handle);
    }

    private static async Task<IReadOnlyList<MemberCardView>> SearchAsync(HttpClient gateway, Fan fan, string query) =>
        (await gateway.GetAsync<MemberPage>(fan, $"/api/social/members?query={Uri.EscapeDataString(query)}")).Items;

    /// <summary>Names reach Social by Accounts' events, a moment after the rename.</summary>
    private static Task<IReadOnlyList<MemberCardView>> EventuallyFoundAsync(HttpClient gateway, Fan fan, string query, int count) =>
        EventsDriver.EventuallyAsync(() => SearchAsync(gateway, fan, query), found => found.Count == count);
}
