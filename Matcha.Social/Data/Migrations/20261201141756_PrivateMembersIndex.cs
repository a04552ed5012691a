using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Social.Data.Migrations
{
    /// <summary>
    /// The private members alone (a partial index): the feed leaves their activities out by an
    /// anti-join with these few rows rather than a join with every member followed (docs/social.md).
    /// </summary>
    public partial class PrivateMembersIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_members_private",
                table: "members",
                column: "user_id",
                filter: "is_private");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_members_private",
                table: "members");
        }
    }
}
