using Microsoft.EntityFrameworkCore;

namespace Matcha.EventBus;

/// <summary>
/// What the event tables remember of a user: outbox rows whose payload or aggregate names them,
/// inbox rows and applied versions of aggregates named after them. An erasure (the account
/// deletion saga) removes these once the events have done their work, so that no row of the
/// service's database still refers to the user.
/// </summary>
public static class UserEventTraces
{
    /// <summary>True while an outbox row about the user is still unpublished: it must go out before it may be forgotten.</summary>
    public static async Task<bool> HasUnpublishedAsync(this DbContext db, Guid userId, CancellationToken cancellationToken)
    {
        var pattern = $"%{userId}%";
        return await db.Database.SqlQuery<bool>($"""
            SELECT EXISTS (SELECT 1 FROM outbox_messages
                WHERE published_at IS NULL AND (aggregate_id LIKE {pattern} OR payload::text LIKE {pattern})) AS "Value"
            """).SingleAsync(cancellationToken);
    }

    /// <summary>
    /// How many of <paramref name="eventIds"/> this service's subscriptions have recorded (applied,
    /// or dropped as older than what was applied): a saga step that must come after those events
    /// waits until the count is complete.
    /// </summary>
    public static Task<int> CountAppliedAsync(this DbContext db, Guid[] eventIds, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<int>($"""
            SELECT count(DISTINCT event_id)::int AS "Value" FROM inbox_messages WHERE event_id = ANY({eventIds})
            """).SingleAsync(cancellationToken);

    /// <summary>
    /// Deletes the published outbox rows about the user and the applied-version records of
    /// their aggregates, and blanks the aggregate of their inbox rows (the event ids stay, so
    /// a redelivery is still recognised). Returns the number of rows touched.
    /// </summary>
    public static async Task<int> ForgetAsync(this DbContext db, Guid userId, bool hasInbox, CancellationToken cancellationToken)
    {
        var pattern = $"%{userId}%";
        var touched = await db.Database.ExecuteSqlAsync($"""
            DELETE FROM outbox_messages
            WHERE published_at IS NOT NULL AND (aggregate_id LIKE {pattern} OR payload::text LIKE {pattern})
            """, cancellationToken);
        if (hasInbox)
        {
            touched += await db.Database.ExecuteSqlAsync(
                $"UPDATE inbox_messages SET aggregate_id = 'erased' WHERE aggregate_id LIKE {pattern}", cancellationToken);
            touched += await db.Database.ExecuteSqlAsync(
                $"DELETE FROM inbox_aggregate_versions WHERE aggregate_id LIKE {pattern}", cancellationToken);
        }
        return touched;
    }
}
