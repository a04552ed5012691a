using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Social.Data.Migrations
{
    /// <summary>
    /// Each member's newest activity id, kept by Postgres itself (triggers on <c>activities</c>), so
    /// the feed's first page probes only the members whose newest activities are the newest rather
    /// than every member followed (docs/social.md, "The feed"). Its own table, not a column of
    /// <c>members</c>: Ratings' events may arrive before Accounts' announce the member. Not in the
    /// EF model: only the feed's SQL reads it, and no code path can forget to keep it.
    /// </summary>
    public partial class FeedLatestActivity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE member_latest_activity (
                    user_id uuid PRIMARY KEY,
                    activity_id bigint NOT NULL);
                INSERT INTO member_latest_activity (user_id, activity_id) SELECT user_id, max(id) FROM activities GROUP BY user_id;

                -- A new activity is its member's newest (ids only grow; GREATEST guards against a smaller one).
                CREATE FUNCTION matcha_activity_added() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO member_latest_activity AS l (user_id, activity_id) VALUES (NEW.user_id, NEW.id)
                    ON CONFLICT (user_id) DO UPDATE SET activity_id = GREATEST(l.activity_id, EXCLUDED.activity_id);
                    RETURN NULL;
                END $$;
                CREATE TRIGGER activities_latest_added AFTER INSERT ON activities
                    FOR EACH ROW EXECUTE FUNCTION matcha_activity_added();

                -- Removing a member's newest activity makes the next one the newest (one probe of the
                -- (user_id, id) index); removing their last one removes the row, so erasure leaves none.
                CREATE FUNCTION matcha_activity_removed() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE next_id bigint;
                BEGIN
                    PERFORM 1 FROM member_latest_activity WHERE user_id = OLD.user_id AND activity_id = OLD.id FOR UPDATE;
                    IF FOUND THEN
                        next_id := (SELECT max(a.id) FROM activities a WHERE a.user_id = OLD.user_id);
                        IF next_id IS NULL THEN
                            DELETE FROM member_latest_activity WHERE user_id = OLD.user_id;
                        ELSE
                            UPDATE member_latest_activity SET activity_id = next_id WHERE user_id = OLD.user_id;
                        END IF;
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER activities_latest_removed AFTER DELETE ON activities
                    FOR EACH ROW EXECUTE FUNCTION matcha_activity_removed();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER activities_latest_removed ON activities;
                DROP TRIGGER activities_latest_added ON activities;
                DROP FUNCTION matcha_activity_removed();
                DROP FUNCTION matcha_activity_added();
                DROP TABLE member_latest_activity;
                """);
        }
    }
}
