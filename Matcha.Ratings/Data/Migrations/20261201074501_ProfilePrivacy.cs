using System;
using Matcha.Data.Erasure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Ratings.Data.Migrations
{
    /// <summary>Ratings' copy of Social's private-profile flag (MemberPrivacyChanged, subscription ratings-social).</summary>
    public partial class ProfilePrivacy : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "profile_privacy",
                columns: table => new
                {
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    is_private = table.Column<bool>(type: "boolean", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_profile_privacy", x => x.user_id);
                });
            // A late privacy event of an erased user must not bring a row back (the applier also skips it).
            migrationBuilder.GuardAgainstErasedUsers("profile_privacy", "user_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "profile_privacy");
        }
    }
}
