using System;
using Matcha.Data.Erasure;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Ratings.Data.Migrations
{
    /// <summary>Rate to start's "haven't seen" marks, guarded against erased users like every user-keyed table.</summary>
    [DbContext(typeof(RatingsDbContext))]
    [Migration("20261201043000_UnseenFilms")]
    public partial class UnseenFilms : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "unseen_films",
                columns: table => new
                {
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    movie_id = table.Column<int>(type: "integer", nullable: false),
                    marked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                },
                constraints: table => table.PrimaryKey("pk_unseen_films", x => new { x.user_id, x.movie_id }));
            migrationBuilder.GuardAgainstErasedUsers("unseen_films", "user_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            migrationBuilder.DropTable(name: "unseen_films");
    }
}
