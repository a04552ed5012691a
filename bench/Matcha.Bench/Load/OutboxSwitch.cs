using Npgsql;

namespace Matcha.Bench.Load;

/// <summary>
/// The "without outbox" rounds, with the services untouched: the benchmark moves ratingsdb's
/// outbox table aside and puts in its place a view whose INSTEAD OF INSERT trigger discards the
/// row (EF Core still gets the id it asks for). So the same Release build, through the same
/// gateway, writes everything but the outbox row: no row, no index entries, no NOTIFY, no relay
/// work. The trigger call that remains costs microseconds against a write's milliseconds.
/// Switched only between rounds, after the backbone has drained.
/// </summary>
internal static class OutboxSwitch
{
    public static async Task LeaveOutAsync(NpgsqlDataSource ratingsDb)
    {
        await using var command = ratingsDb.CreateCommand("""
            BEGIN;
            SET LOCAL lock_timeout = '30s';
            ALTER TABLE outbox_messages RENAME TO outbox_messages_kept;
            CREATE VIEW outbox_messages AS SELECT * FROM outbox_messages_kept WHERE false;
            CREATE FUNCTION bench_discard_outbox_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.id := 0; RETURN NEW; END $$;
            CREATE TRIGGER bench_discard_outbox_row INSTEAD OF INSERT ON outbox_messages FOR EACH ROW EXECUTE FUNCTION bench_discard_outbox_row();
            COMMIT;
            """);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task PutBackAsync(NpgsqlDataSource ratingsDb)
    {
        await using var command = ratingsDb.CreateCommand("""
            BEGIN;
            SET LOCAL lock_timeout = '30s';
            DROP VIEW outbox_messages;
            DROP FUNCTION bench_discard_outbox_row();
            ALTER TABLE outbox_messages_kept RENAME TO outbox_messages;
            COMMIT;
            """);
        await command.ExecuteNonQueryAsync();
    }
}
