using System;
using Matcha.Data.Erasure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Social.Data.Migrations
{
    /// <summary>
    /// Collections, their films and their likes, and the feed's link from a collected film to its
    /// collection. The owner's and the liker's inserts are guarded against erased users like follows.
    /// </summary>
    public partial class Collections : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "collection_id",
                table: "activities",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "collections",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: false),
                    title = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    description = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    is_public = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_collections", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "collection_films",
                columns: table => new
                {
                    collection_id = table.Column<Guid>(type: "uuid", nullable: false),
                    movie_id = table.Column<int>(type: "integer", nullable: false),
                    position = table.Column<int>(type: "integer", nullable: false),
                    added_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_collection_films", x => new { x.collection_id, x.movie_id });
                    table.ForeignKey(
                        name: "fk_collection_films_collections_collection_id",
                        column: x => x.collection_id,
                        principalTable: "collections",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "collection_likes",
                columns: table => new
                {
                    collection_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    liked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_collection_likes", x => new { x.collection_id, x.user_id });
                    table.ForeignKey(
                        name: "fk_collection_likes_collections_collection_id",
                        column: x => x.collection_id,
                        principalTable: "collections",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_activities_collection_id",
                table: "activities",
                column: "collection_id");

            migrationBuilder.CreateIndex(
                name: "ix_collection_films_collection_id_position",
                table: "collection_films",
                columns: new[] { "collection_id", "position" });

            migrationBuilder.CreateIndex(
                name: "ix_collection_likes_user_id",
                table: "collection_likes",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_collections_owner_id_id",
                table: "collections",
                columns: new[] { "owner_id", "id" });

            migrationBuilder.AddForeignKey(
                name: "fk_activities_collections_collection_id",
                table: "activities",
                column: "collection_id",
                principalTable: "collections",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.GuardAgainstErasedUsers("collections", "owner_id");
            migrationBuilder.GuardAgainstErasedUsers("collection_likes", "user_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_activities_collections_collection_id",
                table: "activities");

            migrationBuilder.DropTable(
                name: "collection_films");

            migrationBuilder.DropTable(
                name: "collection_likes");

            migrationBuilder.DropTable(
                name: "collections");

            migrationBuilder.DropIndex(
                name: "ix_activities_collection_id",
                table: "activities");

            migrationBuilder.DropColumn(
                name: "collection_id",
                table: "activities");
        }
    }
}
