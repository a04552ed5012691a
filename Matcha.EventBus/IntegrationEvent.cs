namespace Matcha.EventBus;

/// <summary>
/// A fact one service announces to the others. Each service declares its own contracts, the
/// ones it produces and the ones it consumes; only this shape is shared.
/// </summary>
public interface IIntegrationEvent
{
    /// <summary>The contract's name on the wire, e.g. <c>RatingChanged</c>.</summary>
    static abstract string EventType { get; }

    /// <summary>Bumped when the payload changes in a way an old reader would misread.</summary>
    static abstract int SchemaVersion { get; }

    /// <summary>The producer's stream, e.g. <c>ratings</c>.</summary>
    static abstract string Topic { get; }

    /// <summary>The thing that changed, unique within the topic, e.g. <c>rating/42/{userId}</c>.</summary>
    string AggregateId { get; }

    /// <summary>Grows with every change of the aggregate; consumers drop anything not newer than what they applied.</summary>
    long AggregateVersion { get; }
}
