namespace Matcha.EventBus;

/// <summary>
/// One event waiting in the producer's own database for the relay. It is inserted in the
/// same transaction as the change it announces, so neither exists without the other.
/// </summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }
    public Guid EventId { get; set; }
    public required string Topic { get; set; }
    public required string Type { get; set; }
    public int SchemaVersion { get; set; }
    public required string AggregateId { get; set; }
    public long AggregateVersion { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public string? TraceParent { get; set; }
    public string? TraceState { get; set; }
    public required string Payload { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
}
