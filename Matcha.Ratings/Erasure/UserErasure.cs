using Matcha.Ratings.Data;
using Matcha.EventBus;

namespace Matcha.Ratings.Erasure;

/// <summary>One user's data being erased: whose, at what time, and the removal events announced so far.</summary>
internal sealed class UserErasure(RatingsDbContext db, Guid userId, TimeProvider clock)
{
    public RatingsDbContext Db => db;

    public Guid UserId => userId;

    public DateTimeOffset Now { get; } = clock.GetUtcNow();

    public List<Guid> Removals { get; } = [];

    /// <summary>Adds a removal event to the outbox, in the erasure's transaction, and remembers its id for the reply.</summary>
    public void Announce<TEvent>(TEvent removal) where TEvent : IIntegrationEvent =>
        Removals.Add(db.AddEvent(removal, clock).EventId);
}
