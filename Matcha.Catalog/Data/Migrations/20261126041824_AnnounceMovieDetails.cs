using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Catalog.Data.Migrations
{
    /// <inheritdoc />
    public partial class AnnounceMovieDetails : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // MovieChanged v2 carries countries, runtime, directors and cast. Films announced before
            // it are announced again, once, with a new version (a consumer drops an event whose
            // version is not newer than the one it applied). Same payload as MovieEvents.AddAsync.
            migrationBuilder.Sql("""
                UPDATE movies SET version = version + 1;

                INSERT INTO outbox_messages (event_id, topic, type, schema_version, aggregate_id, aggregate_version, occurred_at, payload)
                SELECT gen_random_uuid(), 'catalog', 'MovieChanged', 2, 'movie/' || m.id, m.version, now(),
                       jsonb_build_object(
                           'movieId', m.id, 'year', m.year, 'releaseDate', m.release_date, 'genres', to_jsonb(m.genres),
                           'peopleIds', COALESCE((SELECT jsonb_agg(DISTINCT c.person_id ORDER BY c.person_id) FROM credits c WHERE c.movie_id = m.id), '[]'::jsonb),
                           'version', m.version,
                           'countries', to_jsonb(m.countries),
                           'runtime', m.runtime,
                           'directors', COALESCE((SELECT jsonb_agg(p.person ORDER BY p.billing, p.id) FROM (
                               SELECT c.id, COALESCE(c."order", 2147483647) AS billing, jsonb_build_object('id', c.person_id, 'name', COALESCE(
                                   (SELECT n.name FROM person_names n WHERE n.person_id = c.person_id AND n.language = 'en' ORDER BY n.id LIMIT 1),
                                   (SELECT n.name FROM person_names n WHERE n.person_id = c.person_id ORDER BY n.id LIMIT 1), '')) AS person
                               FROM credits c WHERE c.movie_id = m.id AND c.role = 'Director') p), '[]'::jsonb),
                           'cast', COALESCE((SELECT jsonb_agg(p.person ORDER BY p.billing, p.id) FROM (
                               SELECT c.id, COALESCE(c."order", 2147483647) AS billing, jsonb_build_object('id', c.person_id, 'name', COALESCE(
                                   (SELECT n.name FROM person_names n WHERE n.person_id = c.person_id AND n.language = 'en' ORDER BY n.id LIMIT 1),
                                   (SELECT n.name FROM person_names n WHERE n.person_id = c.person_id ORDER BY n.id LIMIT 1), '')) AS person
                               FROM credits c WHERE c.movie_id = m.id AND c.role = 'Cast'
                               ORDER BY COALESCE(c."order", 2147483647), c.id LIMIT 10) p), '[]'::jsonb))
                FROM movies m
                ORDER BY m.id;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
