using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Catalog.Data.Migrations
{
    /// <summary>
    /// Search for short Hangul fragments: pg_trgm cannot index a two-syllable query (a trigram
    /// needs three characters), so each search text also keeps its Hangul syllable pairs, computed
    /// by Postgres (a generated column, so every writer, COPY included, fills it) and indexed by GIN.
    /// Not in the EF model: only the search's SQL reads it.
    /// </summary>
    public partial class HangulBigrams : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION matcha_hangul_bigrams(text) RETURNS text[]
                LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
                    SELECT coalesce(array_agg(DISTINCT pair), '{}')
                    FROM (SELECT substr($1, i, 2) AS pair FROM generate_series(1, char_length($1) - 1) AS i) AS pairs
                    WHERE pair ~ '^[가-힣]{2}$'
                $$;
                ALTER TABLE movies ADD COLUMN search_bigrams text[] GENERATED ALWAYS AS (matcha_hangul_bigrams(search_text)) STORED;
                ALTER TABLE people ADD COLUMN search_bigrams text[] GENERATED ALWAYS AS (matcha_hangul_bigrams(search_text)) STORED;
                CREATE INDEX ix_movies_search_bigrams ON movies USING gin (search_bigrams);
                CREATE INDEX ix_people_search_bigrams ON people USING gin (search_bigrams);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE movies DROP COLUMN search_bigrams;
                ALTER TABLE people DROP COLUMN search_bigrams;
                DROP FUNCTION matcha_hangul_bigrams(text);
                """);
        }
    }
}
