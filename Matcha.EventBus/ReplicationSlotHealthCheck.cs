using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Matcha.EventBus;

/// <summary>
/// <c>events-slot</c> in <c>/health</c>, with the change-data-capture relay: how much WAL the
/// outbox's replication slot makes Postgres keep. A slot whose relay is down (or stuck) keeps
/// every WAL segment written since, for the whole server. Degraded past
/// <see cref="EventBusOptions.SlotDegradedBytes"/>, Unhealthy past
/// <see cref="EventBusOptions.SlotUnhealthyBytes"/> (set below <c>max_slot_wal_keep_size</c>, past
/// which Postgres invalidates the slot) and once Postgres has invalidated it.
/// </summary>
internal sealed class ReplicationSlotHealthCheck(OutboxReplication replication, NpgsqlDataSource dataSource, IOptions<EventBusOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT active, wal_status, pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint, safe_wal_size
            FROM pg_replication_slots WHERE slot_name = @slot
            """);
        command.Parameters.AddWithValue("slot", replication.Slot);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return HealthCheckResult.Degraded($"No replication slot {replication.Slot} yet: the relay creates it.");
        }
        var active = reader.GetBoolean(0);
        var walStatus = reader.IsDBNull(1) ? "unknown" : reader.GetString(1);
        var retained = reader.IsDBNull(2) ? 0 : reader.GetInt64(2);
        var data = new Dictionary<string, object>
        {
            ["slot"] = replication.Slot,
            ["active"] = active,
            ["walStatus"] = walStatus,
            ["retainedBytes"] = retained,
        };
        if (!reader.IsDBNull(3))
        {
            data["safeWalBytes"] = reader.GetInt64(3);
        }
        var limits = options.Value;
        var summary = $"slot {replication.Slot} retains {retained / (1024.0 * 1024):0.0} MB of WAL ({(active ? "streaming" : "no relay reading")}, wal_status {walStatus})";
        return walStatus == "lost" ? HealthCheckResult.Unhealthy($"{summary}: invalidated; the relay recreates it and publishes the outbox table's unsent rows", data: data)
            : retained >= limits.SlotUnhealthyBytes ? HealthCheckResult.Unhealthy(summary, data: data)
            : retained >= limits.SlotDegradedBytes ? HealthCheckResult.Degraded(summary, data: data)
            : HealthCheckResult.Healthy(summary, data);
    }
}
