using System.Diagnostics;
using System.Net;

namespace Matcha.Tests.Foundation;

[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class TracingTests(MatchaAppFixture fixture)
{
    [Theory]
    [InlineData("/api/catalog/movies", "catalog")]
    [InlineData("/api/ratings/movies/7/comments", "ratings")]
    [InlineData("/api/accounts/.well-known/jwks.json", "accounts")]
    public async Task OneTraceSpansTheGatewayAndTheService(string path, string service)
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var client = fixture.CreateGatewayClient();
        var (tokens, _) = await client.SignUpAndLoginAsync();   // Ratings' reads are for signed-in users
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", tokens.AccessToken);
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var spans = await fixture.Traces.WaitForTraceAsync(traceId,
            s => s.Any(IsServerSpanOf("gateway")) && s.Any(IsServerSpanOf(service)), TimeSpan.FromSeconds(20));

        var gatewayServer = Only(spans, IsServerSpanOf("gateway"));
        var serviceServer = Only(spans, IsServerSpanOf(service));
        // The service's span hangs under a span the gateway made (its outgoing call), not beside it.
        var parent = Only(spans, s => s.SpanId == serviceServer.ParentSpanId);
        Assert.Equal("gateway", parent.Service);
        Assert.Equal(gatewayServer.TraceId, serviceServer.TraceId);
    }

    private static ExportedSpan Only(IReadOnlyList<ExportedSpan> spans, Func<ExportedSpan, bool> match)
    {
        var matching = spans.Where(match).ToList();
        return Assert.Single(matching);
    }

    private static Func<ExportedSpan, bool> IsServerSpanOf(string service) =>
        span => span.Service == service && span.Kind == ExportedSpan.ServerKind;
}
