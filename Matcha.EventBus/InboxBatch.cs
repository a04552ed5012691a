using Matcha.Data;
using Npgsql;

namespace Matcha.EventBus;

/// <summary>
/// The inbox and version checks of a whole batch in four statements sent in one round trip, not a
/// few per event: at load the consumer's time went to round trips, one after another, each waiting
/// for a busy Postgres (docs/performance.md). The outcome per event is what applying them one by one
/// would give: the first delivery of an event id is recorded, later copies are duplicates, and an
/// event applies only if its version is above its aggregate's, counting the batch's earlier events.
/// </summary>
/// <remarks>
/// The statements after the first know which events it recorded by the rows this transaction inserted
/// (<c>xmin</c> is the transaction's own id; the inbox is written before any savepoint), so a repeat
/// creates, locks and advances nothing, as before, and a repeat of an erased user's event leaves no
/// version row behind. Each statement sees the rows of the ones before it.
/// </remarks>
internal static class InboxBatch
{
    /// <summary>The inbox rows this transaction recorded among the batch's event ids ($1 the subscription, $2 the ids).</summary>
    private const string Recorded = """
        SELECT aggregate_id, aggregate_version FROM inbox_messages
        WHERE subscription = $1 AND event_id = ANY($2) AND xmin = pg_current_xact_id()::xid
        """;

    /// <summary>
    /// Begins the transaction and judges the batch, then reads the applier's <paramref name="prepare"/> statements in
    /// the same round trip: they come after the aggregates' locks, so they see what a replica that held them committed.
    /// </summary>
    public static async Task<ApplyOutcome[]> JudgeAsync(NpgsqlConnection connection, string subscription, IReadOnlyList<EventEnvelope> envelopes,
        IReadOnlyList<NpgsqlBatchCommand> prepare, Func<NpgsqlDataReader, Task> readPrepared, CancellationToken cancellationToken)
    {
        var outcomes = new ApplyOutcome[envelopes.Count];
        Array.Fill(outcomes, ApplyOutcome.Duplicate);
        var firsts = envelopes.Select((e, i) => (Envelope: e, Index: i)).DistinctBy(e => e.Envelope.EventId).ToList();
        var eventIds = firsts.Select(f => f.Envelope.EventId).ToArray();

        // Every statement's first parameter is the subscription.
        NpgsqlBatchCommand Command(string sql, params object[] values) => Statements.Command(sql, [subscription, .. values]);

        // Each aggregate's row is created if new and locked until commit, both in one order for every replica (two
        // replicas creating the same new aggregates in different orders could deadlock): a replica applying the same
        // aggregate's next event waits, then judges by this one. The versions are advanced
        // to the newest recorded event of each aggregate, which is where judging the events in order leaves them.
        await using var judge = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("BEGIN"),
                Command("""
                    INSERT INTO inbox_messages (subscription, event_id, type, aggregate_id, aggregate_version, processed_at)
                    SELECT $1, e, t, a, v, now() FROM unnest($2::uuid[], $3::text[], $4::text[], $5::bigint[]) AS b(e, t, a, v)
                    ON CONFLICT DO NOTHING
                    RETURNING event_id
                    """,
                    eventIds, firsts.Select(f => f.Envelope.Type).ToArray(),
                    firsts.Select(f => f.Envelope.AggregateId).ToArray(), firsts.Select(f => f.Envelope.AggregateVersion).ToArray()),
                Command($"""
                    INSERT INTO inbox_aggregate_versions (subscription, aggregate_id, version)
                    SELECT $1, a.aggregate_id, 0 FROM (SELECT DISTINCT r.aggregate_id FROM ({Recorded}) AS r) AS a
                    ORDER BY a.aggregate_id
                    ON CONFLICT DO NOTHING
                    RETURNING aggregate_id
                    """, (object)eventIds),
                Command($"""
                    SELECT aggregate_id, version FROM inbox_aggregate_versions
                    WHERE subscription = $1 AND aggregate_id IN (SELECT r.aggregate_id FROM ({Recorded}) AS r)
                    ORDER BY aggregate_id FOR UPDATE
                    """, (object)eventIds),
                Command($"""
                    UPDATE inbox_aggregate_versions AS v SET version = n.version
                    FROM (SELECT r.aggregate_id, max(r.aggregate_version) AS version FROM ({Recorded}) AS r GROUP BY r.aggregate_id) AS n
                    WHERE v.subscription = $1 AND v.aggregate_id = n.aggregate_id AND v.version < n.version
                    """, (object)eventIds),
            },
        };
        foreach (var command in prepare)
        {
            judge.BatchCommands.Add(command);
        }
        var recorded = new HashSet<Guid>();
        var created = new HashSet<string>(StringComparer.Ordinal);
        var current = new Dictionary<string, long?>(StringComparer.Ordinal);
        await using (var reader = await judge.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                recorded.Add(reader.GetGuid(0));
            }
            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                created.Add(reader.GetString(0));
            }
            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var aggregate = reader.GetString(0);
                current[aggregate] = created.Contains(aggregate) ? null : reader.GetInt64(1);
            }
            // The versions' UPDATE returns no rows, so the next result is the first prepared statement's.
            if (prepare.Count > 0)
            {
                await reader.NextResultAsync(cancellationToken);
                await readPrepared(reader);
            }
        }

        var advanced = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (envelope, index) in firsts.Where(f => recorded.Contains(f.Envelope.EventId)))
        {
            var applied = advanced.TryGetValue(envelope.AggregateId, out var version) ? version : current.GetValueOrDefault(envelope.AggregateId);
            if (applied is { } before && envelope.AggregateVersion <= before)
            {
                outcomes[index] = ApplyOutcome.Stale;
                continue;
            }
            outcomes[index] = ApplyOutcome.Applied;
            advanced[envelope.AggregateId] = envelope.AggregateVersion;
        }
        return outcomes;
    }
}
