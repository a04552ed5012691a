using System.Diagnostics;
using System.Text.Json;
using Matcha.Data;
using Matcha.EventBus;
using Matcha.Ratings.Data;
using Matcha.Ratings.Movies;
using Matcha.Ratings.Ratings;

namespace Matcha.Tests.Backbone;

public sealed class EventEnvelopeTests
{
    [Fact]
    public void AnEnvelopeSurvivesTheWire()
    {
        var payload = JsonSerializer.SerializeToElement(new { movieId = 7, newScore = 4.5 });
        var sent = new EventEnvelope("RatingChanged", 1, Guid.NewGuid(), "rating/7/u", 3, DateTimeOffset.UtcNow,
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "vendor=x", payload);

        Assert.True(EventEnvelope.TryParse(sent.ToJson(), out var received));

        Assert.Equal(sent.EventId, received.EventId);
        Assert.Equal(sent.AggregateVersion, received.AggregateVersion);
        Assert.Equal(sent.TraceParent, received.TraceParent);
        Assert.Equal(4.5m, received.Payload.GetProperty("newScore").GetDecimal());
    }

    [Fact]
    public void UnknownFieldsInEnvelopeAndPayloadAreIgnored()
    {
        var json = $$$"""
            {"type":"MovieChanged","schemaVersion":1,"eventId":"{{{Guid.NewGuid()}}}","aggregateId":"movie/9","aggregateVersion":4,
             "occurredAt":"2026-01-01T00:00:00Z","priority":"high",
             "payload":{"movieId":9,"year":2019,"releaseDate":"2019-05-30","genres":["Drama"],"peopleIds":[1,2],"titles":{"ko":"기생충"},"budget":11400000}}
            """;

        Assert.True(EventEnvelope.TryParse(json, out var envelope));
        var movie = envelope.PayloadAs<MovieChanged>();

        Assert.Equal(9, movie.MovieId);
        Assert.Equal(new DateOnly(2019, 5, 30), movie.ReleaseDate);
        Assert.Equal(["Drama"], movie.Genres);
        // A v1 event has none of v2's fields: the copy gets none, not an error.
        Assert.Null(movie.Countries);
        Assert.Null(movie.Runtime);
        Assert.Null(movie.Directors);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"schemaVersion":1,"eventId":"7d1f2c52-1a4c-4a53-9a55-0a9d2b3c4d5e","aggregateId":"a","aggregateVersion":1,"payload":{}}""")]
    [InlineData("""{"type":"X","schemaVersion":1,"eventId":"00000000-0000-0000-0000-000000000000","aggregateId":"a","aggregateVersion":1,"payload":{}}""")]
    [InlineData("""{"type":"X","schemaVersion":1,"eventId":"7d1f2c52-1a4c-4a53-9a55-0a9d2b3c4d5e","aggregateId":"a","aggregateVersion":1,"payload":"text"}""")]
    [InlineData("""{"type":"X","schemaVersion":0,"eventId":"7d1f2c52-1a4c-4a53-9a55-0a9d2b3c4d5e","aggregateId":"a","aggregateVersion":1,"payload":{}}""")]
    public void AMalformedEnvelopeIsRefused(string json)
    {
        Assert.False(EventEnvelope.TryParse(json, out _));
    }

    [Fact]
    public void AnOutboxRowCarriesTheEventAndTheRequestsTraceContext()
    {
        using var db = new RatingsDbContext(Database.DesignTimeOptions<RatingsDbContext>());
        using var request = new Activity("PUT rating").SetIdFormat(ActivityIdFormat.W3C).Start();
        request.TraceStateString = "matcha=1";
        var userId = Guid.NewGuid();

        var row = db.AddEvent(new RatingChanged(42, userId, 3.0m, 4.5m, 2, DateTimeOffset.UtcNow));

        Assert.Equal("ratings", row.Topic);
        Assert.Equal("RatingChanged", row.Type);
        Assert.Equal($"rating/42/{userId}", row.AggregateId);
        Assert.Equal(2, row.AggregateVersion);
        Assert.Equal(request.Id, row.TraceParent);
        Assert.Equal("matcha=1", row.TraceState);
        var payload = JsonDocument.Parse(row.Payload).RootElement;
        Assert.Equal(3.0m, payload.GetProperty("oldScore").GetDecimal());
        Assert.Equal(4.5m, payload.GetProperty("newScore").GetDecimal());
        Assert.Single(db.ChangeTracker.Entries<OutboxMessage>());
    }
}
