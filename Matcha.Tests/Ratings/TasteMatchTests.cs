using System.Net;
using System.Text.Json;

namespace Matcha.Tests.Ratings;

/// <summary>Taste match between two members, through the gateway: the formula on films both rated, the threshold, bad handles.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class TasteMatchTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task MembersWhoRateAlikeMatchFullyHalfAStarApartThreeQuartersAndTwoStarsApartNotAtAll()
    {
        using var gateway = fixture.CreateGatewayClient();
        var films = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            films.Add(await fixture.AddFilmAsync());
        }
        decimal[] scores = [4.5m, 4m, 3.5m, 4m, 3m];
        var me = await FanWhoRatesAsync(gateway, films, scores);
        var twin = await FanWhoRatesAsync(gateway, films, scores);
        var close = await FanWhoRatesAsync(gateway, films, [.. scores.Select(s => s - 0.5m)]);
        var far = await FanWhoRatesAsync(gateway, films, [.. scores.Select(s => s - 2m)]);

        // Films rated by both and no others, so the model adds nothing: the figure is the formula's alone.
        Assert.Equal((100, 5, 0), await MatchAsync(gateway, me, twin));
        Assert.Equal((75, 5, 0), await MatchAsync(gateway, me, close));
        Assert.Equal((0, 5, 0), await MatchAsync(gateway, me, far));
        Assert.Equal((0, 5, 0), await MatchAsync(gateway, far, me));
    }

    [Fact]
    public async Task BelowFiveFilmsInCommonThereIsNoFigureOnlyHowManyAreShared()
    {
        using var gateway = fixture.CreateGatewayClient();
        var films = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            films.Add(await fixture.AddFilmAsync());
        }
        var me = await FanWhoRatesAsync(gateway, films, [4m, 4m, 4m, 4m]);
        var other = await FanWhoRatesAsync(gateway, films, [4m, 4m, 4m, 4m]);

        var match = await EventuallyMatchAsync(gateway, me, other.Handle);
        Assert.Equal(JsonValueKind.Null, match.GetProperty("percent").ValueKind);
        Assert.Equal((4, 5), (match.GetProperty("inCommon").GetInt32(), match.GetProperty("needed").GetInt32()));
    }

    [Fact]
    public async Task MyOwnHandleIsA400NamingHandleAndAnUnknownOneIsNotFound()
    {
        using var gateway = fixture.CreateGatewayClient();
        var me = await FanWhoRatesAsync(gateway, [], []);
        // Once Ratings knows my handle, asking for a match with myself names the field.
        var (status, body) = await EventuallyKnownAsync(gateway, me, me.Handle);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(body.GetProperty("errors").TryGetProperty("handle", out _));

        using var unknown = await gateway.SendAsync(me.Fan, HttpMethod.Get, $"/api/ratings/members/{Guid.NewGuid()}/taste-match");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var anonymous = await gateway.GetAsync($"/api/ratings/members/{me.Handle}/taste-match");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    private sealed record Member(Fan Fan, Guid Handle);

    private static async Task<Member> FanWhoRatesAsync(HttpClient gateway, List<int> films, decimal[] scores)
    {
        var fan = await gateway.NewFanAsync();
        for (var i = 0; i < films.Count; i++)
        {
            Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(fan, films[i], (double)scores[i]));
        }
        return new Member(fan, (await gateway.GetMeAsync(fan.AccessToken)).Handle);
    }

    private static async Task<(int? Percent, int InCommon, int FromModel)> MatchAsync(HttpClient gateway, Member me, Member other)
    {
        var match = await EventuallyMatchAsync(gateway, me, other.Handle);
        var percent = match.GetProperty("percent");
        return (percent.ValueKind == JsonValueKind.Null ? null : percent.GetInt32(), match.GetProperty("inCommon").GetInt32(), match.GetProperty("fromModel").GetInt32());
    }

    /// <summary>Ratings learns a new member's handle from Accounts' event a moment after sign-up: until then the handle is unknown (404).</summary>
    private static async Task<JsonElement> EventuallyMatchAsync(HttpClient gateway, Member me, Guid handle)
    {
        var (status, body) = await EventuallyKnownAsync(gateway, me, handle);
        Assert.Equal(HttpStatusCode.OK, status);
        return body;
    }

    private static Task<(HttpStatusCode Status, JsonElement Body)> EventuallyKnownAsync(HttpClient gateway, Member me, Guid handle) =>
        EventsDriver.EventuallyAsync(
            async () =>
            {
                using var response = await gateway.SendAsync(me.Fan, HttpMethod.Get, $"/api/ratings/members/{handle}/taste-match");
                var body = await response.Content.ReadAsStringAsync();
                return (response.StatusCode, body.Length == 0 ? default : JsonDocument.Parse(body).RootElement);
            },
            answer => answer.StatusCode != HttpStatusCode.NotFound);
}
