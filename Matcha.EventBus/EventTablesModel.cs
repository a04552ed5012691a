using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Matcha.EventBus;

/// <summary>
/// The event tables a service keeps in its own database. A producer's DbContext calls
/// <see cref="AddEventOutbox"/>, a consumer's <see cref="AddEventInbox"/>, in OnModelCreating;
/// the service's own migration then creates them. Names are fixed because the relay and the
/// consumers reach these tables with plain SQL.
/// </summary>
public static class EventTablesModel
{
    public const string OutboxTable = "outbox_messages";
    public const string InboxTable = "inbox_messages";
    public const string InboxVersionsTable = "inbox_aggregate_versions";

    /// <summary>The LISTEN/NOTIFY channel the outbox trigger signalled on commit, until <see cref="DropOutboxNotifyTrigger"/>.</summary>
    public const string OutboxChannel = "outbox_messages";

    public static ModelBuilder AddEventOutbox(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(outbox =>
        {
            outbox.ToTable(OutboxTable);
            outbox.HasKey(m => m.Id);
            outbox.Property(m => m.Id).UseIdentityAlwaysColumn();
            outbox.Property(m => m.Topic).HasMaxLength(100);
            outbox.Property(m => m.Type).HasMaxLength(100);
            outbox.Property(m => m.AggregateId).HasMaxLength(200);
            outbox.Property(m => m.TraceParent).HasMaxLength(55);
            outbox.Property(m => m.TraceState).HasMaxLength(512);
            outbox.Property(m => m.Payload).HasColumnType("jsonb");
            // The relay's question: what is unsent, oldest first. Its claim finds each aggregate's oldest unsent row among
            // those (OutboxRelay.ClaimSql), so no index answers "an older unsent row of this aggregate" any more
            // (DropOutboxAggregateIndex).
            outbox.HasIndex(m => m.Id).HasDatabaseName(UnsentIndex).HasFilter(Unsent);
            // No other index: each cost every row an entry at its insert and another at its mark, on the same last
            // pages as the key's (DropOutboxTimeOrderedIndexes). The pruning walks the key (OutboxRelay.PruneAsync).
            // A published row leaves a dead entry in the partial index until a vacuum removes it,
            // and the relay's claim walks every one of them in id order before it reaches the first
            // unsent row. Postgres's default waits for dead rows to reach a fifth of the table (a
            // table that keeps a day of events): vacuum this one after every thousand, unthrottled
            // (docs/performance.md, "The outbox's vacuum").
            outbox.HasStorageParameter("autovacuum_vacuum_scale_factor", 0.0);
            outbox.HasStorageParameter("autovacuum_vacuum_threshold", 1000);
            outbox.HasStorageParameter("autovacuum_vacuum_cost_delay", 0);
        });
        return modelBuilder;
    }

    public static ModelBuilder AddEventInbox(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<InboxMessage>(inbox =>
        {
            inbox.ToTable(InboxTable);
            inbox.HasKey(m => new { m.Subscription, m.EventId });
            inbox.Property(m => m.Subscription).HasMaxLength(100);
            inbox.Property(m => m.Type).HasMaxLength(100);
            inbox.Property(m => m.AggregateId).HasMaxLength(200);
        });
        modelBuilder.Entity<InboxAggregateVersion>(versions =>
        {
            versions.ToTable(InboxVersionsTable);
            versions.HasKey(v => new { v.Subscription, v.AggregateId });
            versions.Property(v => v.Subscription).HasMaxLength(100);
            versions.Property(v => v.AggregateId).HasMaxLength(200);
        });
        return modelBuilder;
    }

    private const string UnsentIndex = "ix_outbox_messages_unsent";
    private const string UnsentAggregateIndex = "ix_outbox_messages_unsent_aggregate";
    private const string Unsent = "published_at IS NULL";

    /// <summary>
    /// Drops the index of each aggregate's unsent rows (aggregate, id), which the relay's claim was written for until
    /// it found each aggregate's oldest row among the oldest unsent rows instead (docs/performance.md, "The relay's
    /// claim in one round trip"). No statement read it since, and every outbox row wrote an entry in it.
    /// </summary>
    public static void DropOutboxAggregateIndex(this MigrationBuilder migrationBuilder) =>
        migrationBuilder.DropIndex(name: UnsentAggregateIndex, table: OutboxTable);

    /// <summary>Undoes <see cref="DropOutboxAggregateIndex"/>.</summary>
    public static void CreateOutboxAggregateIndex(this MigrationBuilder migrationBuilder) =>
        migrationBuilder.CreateIndex(name: UnsentAggregateIndex, table: OutboxTable, columns: ["aggregate_id", "id"], filter: Unsent);

    private const string EventIdIndex = "ix_outbox_messages_event_id";
    private const string PublishedAtIndex = "ix_outbox_messages_published_at";

    /// <summary>
    /// Drops the outbox's indexes of the event id (unique) and of the publication time. Both are time-ordered, like the
    /// key: every row wrote an entry at the right edge of each at its insert and again at its mark (a mark is never HOT,
    /// since the unsent rows' index is on its column). Without them an insert touches about 6 buffers rather than 9.5
    /// and a mark about 69 rather than 120; the load benchmark's ratios did not move (docs/performance.md, "The outbox's
    /// time-ordered indexes"). No statement reads by the event id, which <see cref="Outbox"/> makes a version-7 Guid;
    /// consumers tell a second delivery by their inbox's key. The pruning walks the key instead of the publication time.
    /// </summary>
    public static void DropOutboxTimeOrderedIndexes(this MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(name: EventIdIndex, table: OutboxTable);
        migrationBuilder.DropIndex(name: PublishedAtIndex, table: OutboxTable);
    }

    /// <summary>Undoes <see cref="DropOutboxTimeOrderedIndexes"/>.</summary>
    public static void CreateOutboxTimeOrderedIndexes(this MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateIndex(name: EventIdIndex, table: OutboxTable, column: "event_id", unique: true);
        migrationBuilder.CreateIndex(name: PublishedAtIndex, table: OutboxTable, column: "published_at");
    }

    /// <summary>The outbox's columns the statements that read it filter, group or sort by.</summary>
    private static readonly string[] OutboxColumnsReadBy = ["id", "published_at", "aggregate_id", "topic"];

    /// <summary>The outbox's other columns: carried to Redis, never a condition.</summary>
    private static readonly string[] OutboxColumnsCarried =
        ["event_id", "type", "schema_version", "aggregate_version", "occurred_at", "trace_parent", "trace_state", "payload"];

    /// <summary>
    /// Planner statistics for the outbox's columns that statements read by, from a sample of 3,000 rows (statistics
    /// target 10), and none for the rest. With the server's default (100 for every column) each ANALYZE copied a
    /// sample of 30,000 rows and sorted it column by column, jsonb payloads and trace ids included: 0.34–0.38 s of
    /// one core for an outbox of 150,000 rows, at every autovacuum analyze of a busy outbox (every 10–20 s at 200
    /// writes/s, in the moments the event lag's slowest events waited); 78 ms now (docs/performance.md, "The
    /// outbox's analyze"). The relay's claim has no plan that depends on these estimates (OutboxRelay.ClaimSql).
    /// </summary>
    public static void SetOutboxStatisticsTargets(this MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql($"ALTER TABLE {OutboxTable} "
            + string.Join(", ", OutboxColumnsReadBy.Select(c => $"ALTER COLUMN {c} SET STATISTICS 10")
                .Concat(OutboxColumnsCarried.Select(c => $"ALTER COLUMN {c} SET STATISTICS 0"))));

    /// <summary>Undoes <see cref="SetOutboxStatisticsTargets"/>: the server's default statistics target for every column.</summary>
    public static void ResetOutboxStatisticsTargets(this MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql($"ALTER TABLE {OutboxTable} "
            + string.Join(", ", OutboxColumnsReadBy.Concat(OutboxColumnsCarried).Select(c => $"ALTER COLUMN {c} SET STATISTICS -1")));

    /// <summary>
    /// The services' first outbox migrations called this: a statement trigger that NOTIFYs the
    /// relay. Postgres delivers the notification when the inserting transaction commits, and
    /// never for one that rolls back. Dropped since (<see cref="DropOutboxNotifyTrigger"/>).
    /// </summary>
    public static MigrationBuilder CreateOutboxNotifyTrigger(this MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql($"""
            CREATE FUNCTION notify_outbox_messages() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('{OutboxChannel}', '');
                RETURN NULL;
            END $$;
            CREATE TRIGGER outbox_messages_notify AFTER INSERT ON {OutboxTable}
                FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox_messages();
            """);
        return migrationBuilder;
    }

    /// <summary>
    /// Drops the NOTIFY trigger: the relay is woken in process by its own service's commits
    /// (<see cref="OutboxWake"/>). Postgres serialises the commits of notifying transactions on
    /// one lock held through each commit's WAL write, and under load the writes queued on it.
    /// </summary>
    public static MigrationBuilder DropOutboxNotifyTrigger(this MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql($"""
            DROP TRIGGER IF EXISTS outbox_messages_notify ON {OutboxTable};
            DROP FUNCTION IF EXISTS notify_outbox_messages();
            """);
        return migrationBuilder;
    }
}
