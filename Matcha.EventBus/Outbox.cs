using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Matcha.EventBus;

public static class Outbox
{
    /// <summary>
    /// Queues <paramref name="integrationEvent"/> in this context's outbox, to be written by the
    /// same SaveChanges (and so the same transaction) as the change it announces. The current
    /// W3C trace context goes with it, so the consumers' work joins the request's trace.
    /// </summary>
    public static OutboxMessage AddEvent<TEvent>(this DbContext db, TEvent integrationEvent, TimeProvider? clock = null)
        where TEvent : IIntegrationEvent
    {
        var activity = Activity.Current;
        var message = new OutboxMessage
        {
            EventId = Guid.CreateVersion7(),
            Topic = TEvent.Topic,
            Type = TEvent.EventType,
            SchemaVersion = TEvent.SchemaVersion,
            AggregateId = integrationEvent.AggregateId,
            AggregateVersion = integrationEvent.AggregateVersion,
            OccurredAt = (clock ?? TimeProvider.System).GetUtcNow(),
            TraceParent = activity?.IdFormat == ActivityIdFormat.W3C ? activity.Id : null,
            TraceState = activity?.TraceStateString,
            Payload = JsonSerializer.Serialize(integrationEvent, EventEnvelope.JsonOptions),
        };
        db.Set<OutboxMessage>().Add(message);
        return message;
    }
}
