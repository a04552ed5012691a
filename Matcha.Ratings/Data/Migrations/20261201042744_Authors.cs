using System;
using Matcha.Data.Erasure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Ratings.Data.Migrations
{
    /// <summary>
    /// Comment authors' names and handles, copied from Accounts' AccountProfileChanged; guarded
    /// against erased users like every user-keyed table.
    /// </summary>
    public partial class Authors : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "authors",
                columns: table => new
                {
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    handle = table.Column<Guid>(type: "uuid", nullable: false),
                    display_name = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_authors", x => x.user_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_authors_handle",
                table: "authors",
                column: "handle",
                unique: true);
            migrationBuilder.GuardAgainstErasedUsers("authors", "user_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER authors_refuse_erased_users ON authors;");
            migrationBuilder.DropTable(
                name: "authors");
        }
    }
}
