using System.Diagnostics;
using System.Net;

namespace Matcha.Tests.Backbone;

[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public class EventTracingTests(MatchaAppFixture fixture)
{
    private const int ProducerKind = 4;
    private const int ConsumerKind = 5;

    [Fact]
    public async Task OneTraceRunsFromTheGatewayThroughRatingsAndTheRelayToCatalog()
    {
        using var gateway = fixture.CreateGatewayClient();
        var fan = await gateway.NewFanAsync();
        var movieId = await fixture.AddFilmAsync();
        var traceId = ActivityTraceId.CreateRandom().ToHexString();

        Assert.Equal(HttpStatusCode.NoContent,
            await gateway.RateAsync(fan, movieId, 2.5, $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01"));

        var spans = await fixture.Traces.WaitForTraceAsync(traceId,
            // Each service exports on its own schedule: wait for the publish span too, not only for Catalog's.
            s => s.Any(IsConsumerSpanOf("catalog")) && s.Any(IsPublishSpan), EventsDriver.Patience);
        var gatewayServer = Only(spans, s => s.Service == "gateway" && s.Kind == ExportedSpan.ServerKind);
        var ratingsServer = Only(spans, s => s.Service == "ratings" && s.Kind == ExportedSpan.ServerKind);
        var publish = Only(spans, IsPublishSpan);
        var process = Only(spans, IsConsumerSpanOf("catalog"));
        Assert.Equal("RatingChanged process", process.Name);
        // Each hop hangs under the one before it: the request, the outbox row, the stream entry.
        Assert.Equal(publish.SpanId, process.ParentSpanId);
        Assert.Contains(spans, s => s.SpanId == publish.ParentSpanId && s.Service == "ratings");
        Assert.Contains(spans, s => s.SpanId == ratingsServer.ParentSpanId && s.Service == "gateway");
        Assert.Equal(traceId, gatewayServer.TraceId);
    }

    private static ExportedSpan Only(IReadOnlyList<ExportedSpan> spans, Func<ExportedSpan, bool> match)
    {
        var matching = spans.Where(match).ToList();
        return Assert.Single(matching);
    }

    private static bool IsPublishSpan(ExportedSpan span) => span.Service == "ratings" && span.Kind == ProducerKind && span.Name == "RatingChanged publish";

    private static Func<ExportedSpan, bool> IsConsumerSpanOf(string service) =>
        span => span.Service == service && span.Kind == ConsumerKind;
}
