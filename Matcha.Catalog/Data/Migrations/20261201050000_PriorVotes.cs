using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Catalog.Data.Migrations
{
    /// <summary>
    /// A film's ratings elsewhere (MovieLens, from the default catalogue): the popularity prior the
    /// home's rows and rate to start use before anyone here has rated anything.
    /// </summary>
    [DbContext(typeof(CatalogDbContext))]
    [Migration("20261201050000_PriorVotes")]
    public partial class PriorVotes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "prior_votes",
                table: "movies",
                type: "integer",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(name: "prior_votes", table: "movies");
        }
    }
}
