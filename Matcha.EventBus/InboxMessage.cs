namespace Matcha.EventBus;

/// <summary>An event a subscription has applied, recorded in the same transaction as its effect.</summary>
public sealed class InboxMessage
{
    public required string Subscription { get; set; }
    public Guid EventId { get; set; }
    public required string Type { get; set; }
    public required string AggregateId { get; set; }
    public long AggregateVersion { get; set; }
    public DateTimeOffset ProcessedAt { get; set; }
}

/// <summary>The newest version of each aggregate a subscription has applied: older events are dropped.</summary>
public sealed class InboxAggregateVersion
{
    public required string Subscription { get; set; }
    public required string AggregateId { get; set; }
    public long Version { get; set; }
}
