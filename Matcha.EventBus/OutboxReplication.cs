using Npgsql;

namespace Matcha.EventBus;

/// <summary>
/// Where the change-data-capture relay reads a service's outbox: a publication of the outbox
/// table's inserts in the service's database, and a logical replication slot of its own
/// (slots are named server-wide, so the name carries the database's).
/// </summary>
internal sealed record OutboxReplication(string ConnectionString)
{
    public const string Publication = "matcha_outbox";

    /// <summary>The prefix of the heartbeat's logical message, which only moves the slot on.</summary>
    public const string HeartbeatPrefix = "matcha_outbox_heartbeat";

    public string Database => new NpgsqlConnectionStringBuilder(ConnectionString).Database
        ?? throw new InvalidOperationException("The outbox's connection string names no database.");

    public string Slot => "matcha_outbox_" + new string([.. Database.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
}
