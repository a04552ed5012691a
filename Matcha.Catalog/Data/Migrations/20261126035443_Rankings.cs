using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Catalog.Data.Migrations
{
    /// <inheritdoc />
    public partial class Rankings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "counted_comments",
                columns: table => new
                {
                    comment_id = table.Column<long>(type: "bigint", nullable: false),
                    movie_id = table.Column<int>(type: "integer", nullable: false),
                    removed = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_counted_comments", x => x.comment_id);
                });

            migrationBuilder.CreateTable(
                name: "movie_activity",
                columns: table => new
                {
                    movie_id = table.Column<int>(type: "integer", nullable: false),
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    count = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_movie_activity", x => new { x.movie_id, x.day });
                });

            migrationBuilder.CreateTable(
                name: "removed_movies",
                columns: table => new
                {
                    movie_id = table.Column<int>(type: "integer", nullable: false),
                    removed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_removed_movies", x => x.movie_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_movie_activity_day",
                table: "movie_activity",
                column: "day");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "counted_comments");

            migrationBuilder.DropTable(
                name: "movie_activity");

            migrationBuilder.DropTable(
                name: "removed_movies");
        }
    }
}
