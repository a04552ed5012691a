using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Ratings.Data.Migrations
{
    /// <summary>
    /// The film list's stamp (<c>FilmListStamp</c>: the film rows and the sum of their versions) kept
    /// in one row by statement triggers, in the transaction that changes the films, so that a
    /// replica's check of its list reads one row rather than counting 100,000 films every 30 s
    /// (2,496 buffers and 98–145 ms of Postgres inside a measured screen; docs/performance.md,
    /// "The film list's stamp in one row"). Transition tables make a COPY of 100,000 films one
    /// update. Every writer of <c>movies</c> (the events' applier, another replica, the benchmarks'
    /// COPY) is seen. Not in the EF model.
    /// </summary>
    [DbContext(typeof(RatingsDbContext))]
    [Migration("20261205120000_FilmListStamp")]
    public partial class FilmListStamp : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                -- No writer changes the films between the triggers' creation and the first count: the lock is held to the commit.
                LOCK TABLE movies IN SHARE ROW EXCLUSIVE MODE;
                CREATE TABLE film_list_stamp (
                    single boolean PRIMARY KEY DEFAULT true CHECK (single),
                    rows bigint NOT NULL,
                    version_sum numeric NOT NULL);
                CREATE FUNCTION matcha_film_list_stamp_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        UPDATE film_list_stamp
                        SET rows = rows + n.films, version_sum = version_sum + n.versions
                        FROM (SELECT count(*) AS films, coalesce(sum(version), 0) AS versions FROM new_rows) n;
                    ELSIF TG_OP = 'DELETE' THEN
                        UPDATE film_list_stamp
                        SET rows = rows - o.films, version_sum = version_sum - o.versions
                        FROM (SELECT count(*) AS films, coalesce(sum(version), 0) AS versions FROM old_rows) o;
                    ELSIF TG_OP = 'UPDATE' THEN
                        UPDATE film_list_stamp
                        SET version_sum = version_sum + (SELECT coalesce(sum(version), 0) FROM new_rows) - (SELECT coalesce(sum(version), 0) FROM old_rows);
                    ELSE -- TRUNCATE
                        UPDATE film_list_stamp SET rows = 0, version_sum = 0;
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER movies_stamp_inserted AFTER INSERT ON movies
                    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION matcha_film_list_stamp_changed();
                CREATE TRIGGER movies_stamp_deleted AFTER DELETE ON movies
                    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION matcha_film_list_stamp_changed();
                CREATE TRIGGER movies_stamp_updated AFTER UPDATE ON movies
                    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION matcha_film_list_stamp_changed();
                CREATE TRIGGER movies_stamp_truncated AFTER TRUNCATE ON movies
                    FOR EACH STATEMENT EXECUTE FUNCTION matcha_film_list_stamp_changed();
                INSERT INTO film_list_stamp (rows, version_sum) SELECT count(*), coalesce(sum(version), 0) FROM movies;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER movies_stamp_inserted ON movies;
                DROP TRIGGER movies_stamp_deleted ON movies;
                DROP TRIGGER movies_stamp_updated ON movies;
                DROP TRIGGER movies_stamp_truncated ON movies;
                DROP FUNCTION matcha_film_list_stamp_changed();
                DROP TABLE film_list_stamp;
                """);
        }
    }
}
