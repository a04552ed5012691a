using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Catalog.Data.Migrations
{
    /// <summary>
    /// The sort keys Ratings' events change — average, count, popularity — move, with the prior
    /// votes and year their indexes also hold, to <c>movie_sort_keys</c>, and with them the five
    /// indexes that ordered films by them. Until now every statistics update of a film wrote a new
    /// entry in each of the film's 18 indexes, the search's trigram and bigram GIN among them; with
    /// no index on a column the update changes, Postgres updates the film's row in place on its page
    /// (HOT), and only the narrow table's five small indexes take new entries (docs/performance.md,
    /// "The film's sort keys in a table of their own"). The film's row keeps the same columns for
    /// what it shows. Statement triggers copy the keys in the same statement, so every writer is
    /// covered and the two never disagree; a removed film's keys go with it (ON DELETE CASCADE).
    /// </summary>
    [DbContext(typeof(CatalogDbContext))]
    [Migration("20261203230000_SortKeysOwnTable")]
    public partial class SortKeysOwnTable : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE movie_sort_keys (
                    movie_id integer NOT NULL CONSTRAINT pk_movie_sort_keys PRIMARY KEY
                        CONSTRAINT fk_movie_sort_keys_movies_movie_id REFERENCES movies (id) ON DELETE CASCADE,
                    average_rating double precision NOT NULL,
                    rating_count integer NOT NULL,
                    popularity double precision NOT NULL,
                    prior_votes integer NOT NULL,
                    year integer NOT NULL);
                INSERT INTO movie_sort_keys (movie_id, average_rating, rating_count, popularity, prior_votes, year)
                    SELECT id, average_rating, rating_count, popularity, prior_votes, year FROM movies;

                CREATE INDEX ix_movie_sort_keys_average_rating_movie_id ON movie_sort_keys (average_rating, movie_id);
                CREATE INDEX ix_movie_sort_keys_rating_count_movie_id ON movie_sort_keys (rating_count, movie_id);
                CREATE INDEX ix_movie_sort_keys_popularity_movie_id ON movie_sort_keys (popularity, movie_id);
                -- Search's SQL ranking while its index builds, and rate to start's pool, in these orders.
                CREATE INDEX ix_movie_sort_keys_search_prior ON movie_sort_keys (popularity DESC, rating_count DESC, year DESC, prior_votes DESC, movie_id);
                CREATE INDEX ix_movie_sort_keys_votes ON movie_sort_keys ((rating_count + prior_votes) DESC, popularity DESC, year DESC, movie_id);

                CREATE FUNCTION matcha_movie_sort_keys_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO movie_sort_keys (movie_id, average_rating, rating_count, popularity, prior_votes, year)
                    SELECT id, average_rating, rating_count, popularity, prior_votes, year FROM new_rows;
                    RETURN NULL;
                END $$;
                -- One statement for all the rows an UPDATE of films changed (a statistics batch is one UPDATE).
                -- Statement triggers with transition tables take no column list: the comparison skips the rest.
                CREATE FUNCTION matcha_movie_sort_keys_updated() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE movie_sort_keys AS k SET average_rating = n.average_rating, rating_count = n.rating_count,
                        popularity = n.popularity, prior_votes = n.prior_votes, year = n.year
                    FROM new_rows AS n
                    WHERE k.movie_id = n.id
                      AND (k.average_rating, k.rating_count, k.popularity, k.prior_votes, k.year)
                          IS DISTINCT FROM (n.average_rating, n.rating_count, n.popularity, n.prior_votes, n.year);
                    RETURN NULL;
                END $$;
                CREATE TRIGGER movies_sort_keys_inserted AFTER INSERT ON movies
                    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION matcha_movie_sort_keys_inserted();
                CREATE TRIGGER movies_sort_keys_updated AFTER UPDATE ON movies
                    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION matcha_movie_sort_keys_updated();

                DROP INDEX ix_movies_average_rating_id;
                DROP INDEX ix_movies_rating_count_id;
                DROP INDEX ix_movies_popularity_id;
                DROP INDEX ix_movies_search_prior;
                DROP INDEX ix_movies_votes;
                -- Room on each page for the new version of a row (HOT); pages written from now on.
                ALTER TABLE movies SET (fillfactor = 90);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE movies RESET (fillfactor);
                CREATE INDEX ix_movies_average_rating_id ON movies (average_rating, id);
                CREATE INDEX ix_movies_rating_count_id ON movies (rating_count, id);
                CREATE INDEX ix_movies_popularity_id ON movies (popularity, id);
                CREATE INDEX ix_movies_search_prior ON movies (popularity DESC, rating_count DESC, year DESC, prior_votes DESC, id);
                CREATE INDEX ix_movies_votes ON movies ((rating_count + prior_votes) DESC, popularity DESC, year DESC, id);
                DROP TRIGGER movies_sort_keys_inserted ON movies;
                DROP TRIGGER movies_sort_keys_updated ON movies;
                DROP FUNCTION matcha_movie_sort_keys_inserted();
                DROP FUNCTION matcha_movie_sort_keys_updated();
                DROP TABLE movie_sort_keys;
                """);
        }
    }
}
