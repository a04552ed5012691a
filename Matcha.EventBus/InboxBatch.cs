using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Matcha.EventBus;

/// <summary>
/// The inbox and version checks of a whole batch in four statements and three round trips, not one
/// per event: at load the consumer's time went to round trips, one after another, each waiting for
/// a busy Postgres (docs/performance.md). The outcome per event is what applying them one by one
/// would give: the first delivery of an event id is recorded, later copies are duplicates, and an
/// event applies only if its version is above its aggregate's, counting the batch's earlier events.
/// </summary>
internal static class InboxBatch
{
    public static async Task<ApplyOutcome[]> JudgeAsync(DbContext db, string subscription, IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken)
    {
        var outcomes = new ApplyOutcome[envelopes.Count];
        Array.Fill(outcomes, ApplyOutcome.Duplicate);
        var firsts = envelopes.Select((e, i) => (Envelope: e, Index: i)).DistinctBy(e => e.Envelope.EventId).ToList();

        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var transaction = (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction();
        // (A lone array argument must be cast to object, or it becomes the params array itself.)
        NpgsqlCommand Command(string sql, params object[] values)
        {
            var command = new NpgsqlCommand(sql, connection, transaction);
            command.Parameters.Add(new() { Value = subscription });
            foreach (var value in values)
            {
                command.Parameters.Add(new() { Value = value });
            }
            return command;
        }

        var recorded = new HashSet<Guid>();
        await using (var insert = Command("""
            INSERT INTO inbox_messages (subscription, event_id, type, aggregate_id, aggregate_version, processed_at)
            SELECT $1, e, t, a, v, now() FROM unnest($2::uuid[], $3::text[], $4::text[], $5::bigint[]) AS b(e, t, a, v)
            ON CONFLICT DO NOTHING
            RETURNING event_id
            """,
            firsts.Select(f => f.Envelope.EventId).ToArray(), firsts.Select(f => f.Envelope.Type).ToArray(),
            firsts.Select(f => f.Envelope.AggregateId).ToArray(), firsts.Select(f => f.Envelope.AggregateVersion).ToArray()))
        await using (var reader = await insert.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                recorded.Add(reader.GetGuid(0));
            }
        }
        var fresh = firsts.Where(f => recorded.Contains(f.Envelope.EventId)).ToList();
        if (fresh.Count == 0)
        {
            return outcomes;
        }

        // Each aggregate's row is locked until commit (created first if new), in one order for every
        // replica: a replica applying the same aggregate's next event waits, then judges by this one.
        string[] touched = [.. fresh.Select(f => f.Envelope.AggregateId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        // Created and locked in one round trip: the batch's second statement sees the first's rows.
        var created = new HashSet<string>(StringComparer.Ordinal);
        var current = new Dictionary<string, long?>(StringComparer.Ordinal);
        await using (var createAndLock = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new("""
                    INSERT INTO inbox_aggregate_versions (subscription, aggregate_id, version)
                    SELECT $1, a, 0 FROM unnest($2::text[]) AS a
                    ON CONFLICT DO NOTHING
                    RETURNING aggregate_id
                    """) { Parameters = { new() { Value = subscription }, new() { Value = touched } } },
                new("""
                    SELECT aggregate_id, version FROM inbox_aggregate_versions
                    WHERE subscription = $1 AND aggregate_id = ANY($2)
                    ORDER BY aggregate_id FOR UPDATE
                    """) { Parameters = { new() { Value = subscription }, new() { Value = touched } } },
            },
        })
        await using (var reader = await createAndLock.ExecuteReaderAsync(cancellationToken))
        {
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
        }

        var advanced = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (envelope, index) in fresh)
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

        await using (var advance = Command("""
            UPDATE inbox_aggregate_versions AS v SET version = u.version
            FROM unnest($2::text[], $3::bigint[]) AS u(aggregate_id, version)
            WHERE v.subscription = $1 AND v.aggregate_id = u.aggregate_id
            """, advanced.Keys.ToArray(), advanced.Values.ToArray()))
        {
            await advance.ExecuteNonQueryAsync(cancellationToken);
        }
        return outcomes;
    }
}
