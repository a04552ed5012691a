using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Catalog.Data.Migrations
{
    /// <summary>
    /// Rate to start reads the 1,000 most voted released films (ratings here and elsewhere), in the
    /// order this index keeps: without it, Postgres sorted every film on each read (402 ms at
    /// 100,000 films in the screens benchmark, the tail of the rate-to-start screen). An expression
    /// index, which EF Core's model cannot describe, so it is created here in SQL and is not in the
    /// model snapshot.
    /// </summary>
    public partial class RateToStartVotesIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("CREATE INDEX ix_movies_votes ON movies ((rating_count + prior_votes) DESC, popularity DESC, year DESC, id);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX ix_movies_votes;");
        }
    }
}
