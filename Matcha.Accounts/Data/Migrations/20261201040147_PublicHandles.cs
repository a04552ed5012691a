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

            // Accounts that existed before are announced once more, as v2 with their new handle, so
            // Ratings (which skips v1) signs their comments and Social takes the same handle. The
            // version is now in UTC ticks, newer than any announcement before; the payload is the
            // one UsersApi writes. A fresh database has no users, and this inserts nothing.
            migrationBuilder.Sql("""
                INSERT INTO outbox_messages (event_id, topic, type, schema_version, aggregate_id, aggregate_version, occurred_at, payload)
                SELECT gen_random_uuid(), 'accounts', 'AccountProfileChanged', 2, 'account/' || u.id, v.ticks, now(),
                       jsonb_build_object('userId', u.id, 'displayName', u.display_name, 'version', v.ticks, 'handle', u.handle)
                FROM users u
                CROSS JOIN (SELECT (extract(epoch FROM now()) * 10000000)::bigint + 621355968000000000 AS ticks) v
                WHERE u.deletion_requested_at IS NULL
                ORDER BY u.id;
                """);
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
