using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Matcha.Ratings.Data.Migrations
{
    /// <inheritdoc />
    public partial class Recommendations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Copies made from MovieChanged v1 start with no countries, runtime or people; the next
            // MovieChanged (v2) of each film fills them in.
            migrationBuilder.AddColumn<string>(
                name: "cast",
                table: "movies",
                type: "jsonb",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<List<string>>(
                name: "countries",
                table: "movies",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'");

            migrationBuilder.AddColumn<string>(
                name: "directors",
                table: "movies",
                type: "jsonb",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<int>(
                name: "runtime",
                table: "movies",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "recommendation_models",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    trained_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    algorithm = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    rating_count = table.Column<int>(type: "integer", nullable: false),
                    user_count = table.Column<int>(type: "integer", nullable: false),
                    film_count = table.Column<int>(type: "integer", nullable: false),
                    training_seconds = table.Column<double>(type: "double precision", nullable: false),
                    hold_out_rmse = table.Column<double>(type: "double precision", nullable: true),
                    baseline_hold_out_rmse = table.Column<double>(type: "double precision", nullable: true),
                    data = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recommendation_models", x => x.id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "recommendation_models");

            migrationBuilder.DropColumn(
                name: "cast",
                table: "movies");

            migrationBuilder.DropColumn(
                name: "countries",
                table: "movies");

            migrationBuilder.DropColumn(
                name: "directors",
                table: "movies");

            migrationBuilder.DropColumn(
                name: "runtime",
                table: "movies");
        }
    }
}
