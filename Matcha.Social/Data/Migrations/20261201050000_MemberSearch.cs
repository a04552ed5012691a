using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Social.Data.Migrations
{
    /// <summary>
    /// A trigram index on members' display names, so a name search (`ILIKE '%query%'`) is an index
    /// scan rather than a read of every member. No model change: EF never maps it.
    /// </summary>
    [DbContext(typeof(SocialDbContext))]
    [Migration("20261201050000_MemberSearch")]
    public partial class MemberSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
            CREATE EXTENSION IF NOT EXISTS pg_trgm;
            CREATE INDEX ix_members_display_name_trgm ON members USING gin (display_name gin_trgm_ops);
            """);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("DROP INDEX ix_members_display_name_trgm;");
    }
}
