using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Accounts.Data.Migrations
{
    /// <summary>
    /// Accounts mint the public handle (AccountProfileChanged v2 carries it); existing accounts get
    /// a random one here. Deletions remember the name announcements their steps must await.
    /// </summary>
    public partial class PublicHandles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "handle",
                table: "users",
                type: "uuid",
                nullable: false,
                defaultValueSql: "gen_random_uuid()");
            migrationBuilder.AlterColumn<Guid>(name: "handle", table: "users", type: "uuid", nullable: false, oldDefaultValueSql: "gen_random_uuid()");

            migrationBuilder.AddColumn<List<Guid>>(
                name: "profile_event_ids",
                table: "account_deletions",
                type: "uuid[]",
                nullable: false,
                defaultValueSql: "'{}'");

            migrationBuilder.CreateIndex(
                name: "ix_users_handle",
                table: "users",
                column: "handle",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_users_handle",
                table: "users");

            migrationBuilder.DropColumn(
                name: "handle",
                table: "users");

            migrationBuilder.DropColumn(
                name: "profile_event_ids",
                table: "account_deletions");
        }
    }
}
