using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Catalog.Data.Migrations
{
    /// <summary>
    /// The change log the in-memory search index catches up from (docs/catalog.md, "In memory"):
    /// Postgres writes one row per film or person inserted, deleted, or updated in a column search
    /// reads (search text, title keys, and the prior: popularity, prior votes, rating count, year) —
    /// statement triggers with transition tables, so a COPY of 100,000 films costs one INSERT … SELECT,
    /// and every writer (Catalog, another replica, the importer CLI, the benchmark's COPY) is seen.
    /// Each row carries its transaction's id (<c>xid8</c>, no wraparound); the primary key
    /// <c>(xid, seq)</c> lets a catch-up read "written by a transaction not older than the oldest
    /// running at my last read" as one index range, so a catch-up with nothing new is one index probe.
    /// Search also breaks ties of popularity, rating count and year by <c>prior_votes</c> (the MovieLens rating
    /// count at import) before the id: the SQL fallback's index follows. Not in the EF model.
    /// </summary>
    [DbContext(typeof(CatalogDbContext))]
    [Migration("20261201171500_SearchChanges")]
    public partial class SearchChanges : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE search_changes (
                    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
                    seq bigint GENERATED ALWAYS AS IDENTITY,
                    kind "char" NOT NULL,   -- 'm' a film, 'p' a person
                    id integer NOT NULL,
                    PRIMARY KEY (xid, seq));
                CREATE FUNCTION matcha_search_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO search_changes (kind, id) SELECT TG_ARGV[0]::"char", changed_rows.id FROM changed_rows;
                    RETURN NULL;
                END $$;
                -- Ratings' statistics update films all the time: only a change search can see is logged.
                CREATE FUNCTION matcha_search_movies_updated() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO search_changes (kind, id)
                    SELECT 'm', n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                    WHERE (n.search_text, n.title_keys, n.popularity, n.prior_votes, n.rating_count, n.year)
                        IS DISTINCT FROM (o.search_text, o.title_keys, o.popularity, o.prior_votes, o.rating_count, o.year);
                    RETURN NULL;
                END $$;
                CREATE FUNCTION matcha_search_people_updated() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO search_changes (kind, id)
                    SELECT 'p', n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                    WHERE n.search_text IS DISTINCT FROM o.search_text;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER movies_search_inserted AFTER INSERT ON movies
                    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION matcha_search_rows_changed('m');
                CREATE TRIGGER movies_search_deleted AFTER DELETE ON movies
                    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION matcha_search_rows_changed('m');
                CREATE TRIGGER movies_search_updated AFTER UPDATE ON movies
                    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION matcha_search_movies_updated();
                CREATE TRIGGER people_search_inserted AFTER INSERT ON people
                    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION matcha_search_rows_changed('p');
                CREATE TRIGGER people_search_deleted AFTER DELETE ON people
                    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION matcha_search_rows_changed('p');
                CREATE TRIGGER people_search_updated AFTER UPDATE ON people
                    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION matcha_search_people_updated();
                DROP INDEX ix_movies_search_prior;
                CREATE INDEX ix_movies_search_prior ON movies (popularity DESC, rating_count DESC, year DESC, prior_votes DESC, id);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER movies_search_inserted ON movies;
                DROP TRIGGER movies_search_deleted ON movies;
                DROP TRIGGER movies_search_updated ON movies;
                DROP TRIGGER people_search_inserted ON people;
                DROP TRIGGER people_search_deleted ON people;
                DROP TRIGGER people_search_updated ON people;
                DROP FUNCTION matcha_search_rows_changed();
                DROP FUNCTION matcha_search_movies_updated();
                DROP FUNCTION matcha_search_people_updated();
                DROP TABLE search_changes;
                DROP INDEX ix_movies_search_prior;
                CREATE INDEX ix_movies_search_prior ON movies (popularity DESC, rating_count DESC, year DESC, id);
                """);
        }
    }
}
