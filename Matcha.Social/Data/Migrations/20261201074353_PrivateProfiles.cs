using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Social.Data.Migrations
{
    /// <summary>A member's private-profile flag and the version of its announcements (MemberPrivacyChanged).</summary>
    public partial class PrivateProfiles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "is_private",
                table: "members",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "privacy_version",
                table: "members",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "is_private",
                table: "members");

            migrationBuilder.DropColumn(
                name: "privacy_version",
                table: "members");
        }
    }
}
