using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Matcha.Data.Erasure;

/// <summary>
/// The tombstones of erased users, and the lock that orders a user's writes against their
/// erasure. The gateway refuses a deleted account's writes, but a write that passed its check
/// an instant before the DELETE can still reach a service's database after the saga erased the
/// user there. So the database itself decides: every insert into a user-keyed table takes the
/// shared form of a per-user advisory lock and looks for the user's tombstone; the erasure takes
/// the exclusive form and writes the tombstone in its own transaction. Either the write commits
/// first and the erasure (waiting for the lock) removes its row, or it waits for the erasure and
/// then sees the tombstone and is refused.
/// </summary>
/// <remarks>
/// A trigger rather than a check in each endpoint: it cannot be forgotten by a new write path,
/// and it runs inside the writing statement's transaction whatever the code around it does.
/// Only inserts are guarded: a row that existed is deleted by the erasure, so no later update
/// can reach it.
/// </remarks>
public static class ErasedUsers
{
    /// <summary>The SQLSTATE the guard raises; <see cref="ErasedUserWriteHandler"/> turns it into a problem document.</summary>
    public const string SqlState = "MT410";

    /// <summary>The column naming the other party of a write, not its author; the guard's DETAIL names the column.</summary>
    public const string OtherPartyColumn = "followee_id";

    /// <summary>Creates the tombstone table and the guard function (a migration calls it once per database).</summary>
    public static void CreateTombstones(this MigrationBuilder migration) => migration.Sql($"""
        CREATE TABLE erased_users (user_id uuid PRIMARY KEY, erased_at timestamptz NOT NULL DEFAULT now());

        -- TG_ARGV names the row's user-id columns. The shared lock is held until the writer's
        -- transaction ends, so an erasure of that user waits for it (and then deletes the row).
        CREATE FUNCTION refuse_erased_user_writes() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            guarded_column text;
            guarded_user uuid;
        BEGIN
            FOREACH guarded_column IN ARRAY TG_ARGV LOOP
                guarded_user := (to_jsonb(NEW) ->> guarded_column)::uuid;
                PERFORM pg_advisory_xact_lock_shared(hashtextextended(guarded_user::text, 0));
                IF EXISTS (SELECT 1 FROM erased_users e WHERE e.user_id = guarded_user) THEN
                    RAISE EXCEPTION 'user % has been erased', guarded_user
                        USING ERRCODE = '{SqlState}', DETAIL = guarded_column;
                END IF;
            END LOOP;
            RETURN NEW;
        END $$;
        """);

    /// <summary>Guards inserts into <paramref name="table"/> whose <paramref name="userColumns"/> name users.</summary>
    public static void GuardAgainstErasedUsers(this MigrationBuilder migration, string table, params string[] userColumns) => migration.Sql($"""
        CREATE TRIGGER {table}_refuse_erased_users BEFORE INSERT ON {table}
        FOR EACH ROW EXECUTE FUNCTION refuse_erased_user_writes({string.Join(", ", userColumns.Select(c => $"'{c}'"))});
        """);

    /// <summary>Undoes <see cref="CreateTombstones"/> and the guards of <paramref name="tables"/>.</summary>
    public static void DropTombstones(this MigrationBuilder migration, params string[] tables)
    {
        foreach (var table in tables)
        {
            migration.Sql($"DROP TRIGGER {table}_refuse_erased_users ON {table};");
        }
        migration.Sql("DROP FUNCTION refuse_erased_user_writes(); DROP TABLE erased_users;");
    }

    /// <summary>
    /// Takes the user's exclusive lock (waiting for the writes under way to commit) and writes
    /// the tombstone; the caller's erasure runs after this, in the same transaction.
    /// </summary>
    public static async Task TombstoneAsync(this DbContext db, Guid userId, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({userId.ToString()}, 0))", cancellationToken);
        await db.Database.ExecuteSqlAsync($"INSERT INTO erased_users (user_id) VALUES ({userId}) ON CONFLICT DO NOTHING", cancellationToken);
    }

    /// <summary>True once the user's data has been erased here (the tombstone is written): a late event about them must not bring it back.</summary>
    public static Task<bool> IsErasedAsync(this DbContext db, Guid userId, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<bool>($"SELECT EXISTS (SELECT 1 FROM erased_users WHERE user_id = {userId}) AS \"Value\"").SingleAsync(cancellationToken);
}
