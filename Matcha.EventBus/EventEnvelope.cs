using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Matcha.EventBus;

/// <summary>
/// What travels on a stream: the event's identity and ordering facts, the trace context of
/// the request that caused it, and the producer's payload as JSON. Readers are tolerant:
/// unknown fields are ignored, so a producer may add fields without breaking anyone.
/// </summary>
public sealed record EventEnvelope(
    string Type,
    int SchemaVersion,
    Guid EventId,
    string AggregateId,
    long AggregateVersion,
    DateTimeOffset OccurredAt,
    string? TraceParent,
    string? TraceState,
    JsonElement Payload)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>The payload as the consumer's own copy of the contract.</summary>
    public T PayloadAs<T>() =>
        Payload.Deserialize<T>(JsonOptions) ?? throw new JsonException($"{Type} {EventId} has an empty payload.");

    /// <summary>False for anything that is not a well-formed envelope (it is dead-lettered, never retried).</summary>
    public static bool TryParse(string? json, [NotNullWhen(true)] out EventEnvelope? envelope)
    {
        envelope = null;
        if (string.IsNullOrWhiteSpace(json))
        {
            return false;
        }
        try
        {
            var parsed = JsonSerializer.Deserialize<EventEnvelope>(json, JsonOptions);
            if (parsed is null
                || string.IsNullOrWhiteSpace(parsed.Type)
                || parsed.EventId == Guid.Empty
                || string.IsNullOrWhiteSpace(parsed.AggregateId)
                || parsed.SchemaVersion < 1
                || parsed.Payload.ValueKind != JsonValueKind.Object)
            {
                return false;
            }
            envelope = parsed;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
