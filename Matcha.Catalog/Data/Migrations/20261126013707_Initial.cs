using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Matcha.Catalog.Data.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:pg_trgm", ",,");

            migrationBuilder.CreateTable(
                name: "catalogue_loads",
                columns: table => new
                {
                    version = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    loaded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    movies = table.Column<int>(type: "integer", nullable: false),
                    people = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_catalogue_loads", x => x.version);
                });

            migrationBuilder.CreateTable(
                name: "movies",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    key = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    imdb_id = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: true),
                    tmdb_id = table.Column<int>(type: "integer", nullable: true),
                    movie_lens_id = table.Column<int>(type: "integer", nullable: true),
                    original_language = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    original_title = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    year = table.Column<int>(type: "integer", nullable: false),
                    release_date = table.Column<DateOnly>(type: "date", nullable: true),
                    runtime = table.Column<int>(type: "integer", nullable: true),
                    genres = table.Column<List<string>>(type: "text[]", nullable: false),
                    countries = table.Column<List<string>>(type: "text[]", nullable: false),
                    synopsis_en = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    synopsis_ko = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    poster_url = table.Column<string>(type: "text", nullable: true),
                    search_text = table.Column<string>(type: "text", nullable: false),
                    title_keys = table.Column<List<string>>(type: "text[]", nullable: false),
                    sort_title = table.Column<string>(type: "text", nullable: false),
                    average_rating = table.Column<double>(type: "double precision", nullable: false),
                    rating_count = table.Column<int>(type: "integer", nullable: false),
                    histogram = table.Column<int[]>(type: "integer[]", nullable: false),
                    popularity = table.Column<double>(type: "double precision", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_movies", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "people",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    key = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    search_text = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_people", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "movie_titles",
                columns: table => new
                {
                    movie_id = table.Column<int>(type: "integer", nullable: false),
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    language = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    title = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_movie_titles", x => new { x.movie_id, x.id });
                    table.ForeignKey(
                        name: "fk_movie_titles_movies_movie_id",
                        column: x => x.movie_id,
                        principalTable: "movies",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "credits",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    movie_id = table.Column<int>(type: "integer", nullable: false),
                    person_id = table.Column<int>(type: "integer", nullable: false),
                    role = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    character = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    order = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_credits", x => x.id);
                    table.ForeignKey(
                        name: "fk_credits_movies_movie_id",
                        column: x => x.movie_id,
                        principalTable: "movies",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_credits_people_person_id",
                        column: x => x.person_id,
                        principalTable: "people",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "person_names",
                columns: table => new
                {
                    person_id = table.Column<int>(type: "integer", nullable: false),
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    language = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_person_names", x => new { x.person_id, x.id });
                    table.ForeignKey(
                        name: "fk_person_names_people_person_id",
                        column: x => x.person_id,
                        principalTable: "people",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_credits_movie_id_person_id_role",
                table: "credits",
                columns: new[] { "movie_id", "person_id", "role" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_credits_person_id",
                table: "credits",
                column: "person_id");

            migrationBuilder.CreateIndex(
                name: "ix_movies_average_rating_id",
                table: "movies",
                columns: new[] { "average_rating", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_movies_countries",
                table: "movies",
                column: "countries")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_movies_genres",
                table: "movies",
                column: "genres")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_movies_imdb_id",
                table: "movies",
                column: "imdb_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_movies_key",
                table: "movies",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_movies_movie_lens_id",
                table: "movies",
                column: "movie_lens_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_movies_popularity_id",
                table: "movies",
                columns: new[] { "popularity", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_movies_rating_count_id",
                table: "movies",
                columns: new[] { "rating_count", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_movies_search_text",
                table: "movies",
                column: "search_text")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });

            migrationBuilder.CreateIndex(
                name: "ix_movies_sort_title_id",
                table: "movies",
                columns: new[] { "sort_title", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_movies_tmdb_id",
                table: "movies",
                column: "tmdb_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_movies_year_id",
                table: "movies",
                columns: new[] { "year", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_people_key",
                table: "people",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_people_search_text",
                table: "people",
                column: "search_text")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "catalogue_loads");

            migrationBuilder.DropTable(
                name: "credits");

            migrationBuilder.DropTable(
                name: "movie_titles");

            migrationBuilder.DropTable(
                name: "person_names");

            migrationBuilder.DropTable(
                name: "movies");

            migrationBuilder.DropTable(
                name: "people");
        }
    }
}
