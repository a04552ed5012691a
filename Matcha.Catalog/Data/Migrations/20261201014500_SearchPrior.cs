using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Catalog.Data.Migrations
{
    /// <summary>
    /// Search breaks equal popularity (every film on a fresh install) by rating count, then year, newest
    /// first, never by insertion order. The index follows that order so a common word's page is still
    /// read in order (no sort of every tied match). Not in the EF model: only search reads it.
    /// </summary>
    public partial class SearchPrior : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX ix_movies_popularity_desc_id;
                CREATE INDEX ix_movies_search_prior ON movies (popularity DESC, rating_count DESC, year DESC, id);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX ix_movies_search_prior;
                CREATE INDEX ix_movies_popularity_desc_id ON movies (popularity DESC, id);
                """);
        }
    }
}
