using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Catalog.Data.Migrations
{
    /// <summary>
    /// Typo search: the Latin-script words of every search text, once each, under a trigram GIN
    /// index, so a typo is matched against a small vocabulary of short words instead of by a
    /// word similarity over every film's whole search text. Postgres keeps it itself (a statement
    /// trigger on insert, COPY included; a row trigger when a search text changes), never
    /// deleting: a word no film holds any more only finds nothing. Not in the EF model.
    /// </summary>
    public partial class SearchWords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE search_words (word text PRIMARY KEY);
                CREATE FUNCTION matcha_search_words_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO search_words (word)
                    SELECT DISTINCT w FROM new_rows, regexp_split_to_table(new_rows.search_text, '\s+') AS w
                    WHERE w ~ '[a-z]'
                    ON CONFLICT DO NOTHING;
                    RETURN NULL;
                END $$;
                CREATE FUNCTION matcha_search_words_updated() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO search_words (word)
                    SELECT DISTINCT w FROM regexp_split_to_table(NEW.search_text, '\s+') AS w
                    WHERE w ~ '[a-z]'
                    ON CONFLICT DO NOTHING;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER movies_search_words_inserted AFTER INSERT ON movies
                    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION matcha_search_words_inserted();
                CREATE TRIGGER people_search_words_inserted AFTER INSERT ON people
                    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION matcha_search_words_inserted();
                -- Statistics update films' rows all the time: only a changed search text costs anything.
                CREATE TRIGGER movies_search_words_updated AFTER UPDATE OF search_text ON movies
                    FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text) EXECUTE FUNCTION matcha_search_words_updated();
                CREATE TRIGGER people_search_words_updated AFTER UPDATE OF search_text ON people
                    FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text) EXECUTE FUNCTION matcha_search_words_updated();
                INSERT INTO search_words (word)
                SELECT DISTINCT w FROM (SELECT search_text FROM movies UNION ALL SELECT search_text FROM people) AS texts,
                    regexp_split_to_table(texts.search_text, '\s+') AS w
                WHERE w ~ '[a-z]'
                ON CONFLICT DO NOTHING;
                CREATE INDEX ix_search_words_word ON search_words USING gin (word gin_trgm_ops);
                -- Search cuts a common word's matches by popularity DESC, id: read in that order, the
                -- page is found after a few hundred rows (ix_movies_popularity_id runs id the other way).
                CREATE INDEX ix_movies_popularity_desc_id ON movies (popularity DESC, id);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER movies_search_words_inserted ON movies;
                DROP TRIGGER people_search_words_inserted ON people;
                DROP TRIGGER movies_search_words_updated ON movies;
                DROP TRIGGER people_search_words_updated ON people;
                DROP FUNCTION matcha_search_words_inserted();
                DROP FUNCTION matcha_search_words_updated();
                DROP TABLE search_words;
                DROP INDEX ix_movies_popularity_desc_id;
                """);
        }
    }
}
