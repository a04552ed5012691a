using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Matcha.Contracts.Catalog.V1;
using Microsoft.IdentityModel.Tokens;

namespace Matcha.Tests.Catalog;

/// <summary>
/// Catalog's cards over gRPC, at its HTTP/2 endpoint <c>grpc</c>: the same cards as the REST batch
/// reads, only for a caller holding the gateway's internal token for Catalog (checked as on HTTP),
/// and the endpoint's health as the dashboard shows it.
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class CatalogGrpcTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task FilmAndPersonCardsOverGrpcAreTheRestBatchesCards()
    {
        var first = await fixture.AddKoreanFilmAsync();
        var second = await fixture.AddKoreanFilmAsync();
        using var gateway = fixture.CreateGatewayClient();
        using var channel = Channel();
        var cards = new CatalogCards.CatalogCardsClient(channel);
        var token = await GatewayTokenAsync("catalog", TimeSpan.FromMinutes(1));

        var films = await cards.GetFilmCardsAsync(new CardsRequest { Ids = { second.Id, int.MaxValue, first.Id, second.Id } }, Bearer(token));

        var rest = (await gateway.GetFromJsonAsync<JsonElement>($"/api/catalog/movies/cards?ids={second.Id},{first.Id}")).GetProperty("items");
        Assert.Equal([second.Id, first.Id], films.Items.Select(card => card.Id));
        for (var i = 0; i < 2; i++)
        {
            var (card, json) = (films.Items[i], rest[i]);
            Assert.Equal(json.GetProperty("titles").Deserialize<Dictionary<string, string>>(), card.Titles.ToDictionary());
            Assert.Equal(json.GetProperty("originalTitle").GetString(), card.OriginalTitle);
            Assert.Equal(json.GetProperty("year").GetInt32(), card.Year);
            Assert.Equal(json.GetProperty("releaseDate").GetString(), card.ReleaseDate);
            Assert.Equal(json.GetProperty("genres").Deserialize<string[]>(), card.Genres);
            Assert.Equal(json.GetProperty("stats").GetProperty("count").GetInt32(), card.Stats.Count);
            Assert.False(card.Stats.HasAverage);   // no rating yet: absent, not zero
        }

        var detail = await gateway.GetFromJsonAsync<JsonElement>($"/api/catalog/movies/{first.Id}");
        var director = detail.GetProperty("credits").EnumerateArray().Single().GetProperty("personId").GetInt32();
        var people = await cards.GetPersonCardsAsync(new CardsRequest { Ids = { director } }, Bearer(token));
        Assert.Equal(first.Director, Assert.Single(people.Items).Names["en"]);
    }

    [Fact]
    public async Task GrpcCallWithoutATokenIsRefused()
    {
        using var channel = Channel();

        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            new CatalogCards.CatalogCardsClient(channel).GetFilmCardsAsync(new CardsRequest { Ids = { 1 } }).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Theory]
    [InlineData("another service's")]
    [InlineData("expired")]
    [InlineData("not the gateway's key")]
    public async Task GrpcCallWithABadTokenIsRefused(string bad)
    {
        var token = bad switch
        {
            "another service's" => await GatewayTokenAsync("ratings", TimeSpan.FromMinutes(1)),
            "expired" => await GatewayTokenAsync("catalog", TimeSpan.FromMinutes(-1)),
            _ => Mint(new SigningCredentials(new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)), SecurityAlgorithms.EcdsaSha256), "catalog", TimeSpan.FromMinutes(1)),
        };
        using var channel = Channel();

        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            new CatalogCards.CatalogCardsClient(channel).GetFilmCardsAsync(new CardsRequest { Ids = { 1 } }, Bearer(token)).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Fact]
    public async Task GrpcBatchOfNoIdsOrTooManyIsAnInvalidArgumentNamingIds()
    {
        using var channel = Channel();
        var cards = new CatalogCards.CatalogCardsClient(channel);
        var token = await GatewayTokenAsync("catalog", TimeSpan.FromMinutes(1));

        foreach (var ids in (int[][])[[], [.. Enumerable.Range(1, 101)], [3, 0]])
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => cards.GetFilmCardsAsync(new CardsRequest { Ids = { ids } }, Bearer(token)).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
            Assert.StartsWith("ids ", refused.Status.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheGrpcEndpointsHealthIsServingAndOnTheDashboard()
    {
        using var channel = Channel();

        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.True(fixture.App.ResourceNotifications.TryGetCurrentState("catalog", out var catalog));
        var report = Assert.Single(catalog.Snapshot.HealthReports, report => report.Name == "catalog-grpc");
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, report.Status);
    }

    private GrpcChannel Channel() => GrpcChannel.ForAddress(fixture.App.GetEndpoint("catalog", "grpc"));

    private static Metadata Bearer(string token) => new() { { "authorization", $"Bearer {token}" } };

    private async Task<string> GatewayTokenAsync(string audience, TimeSpan expiresIn) =>
        Mint(TestTokens.GatewayCredentials(await fixture.ParameterAsync("gateway-signing-key")), audience, expiresIn);

    private static string Mint(SigningCredentials credentials, string audience, TimeSpan expiresIn)
    {
        var expires = DateTime.UtcNow + expiresIn;
        return TestTokens.Mint(credentials, Guid.NewGuid().ToString(), TestTokens.GatewayIssuer, audience, TestTokens.InternalTokenType,
            expires - TimeSpan.FromMinutes(10), expires, new Dictionary<string, object> { ["name"] = "Film Fan", ["role"] = Array.Empty<string>() });
    }
}
