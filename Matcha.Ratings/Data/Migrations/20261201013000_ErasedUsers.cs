using Matcha.Data.Erasure;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Ratings.Data.Migrations
{
    /// <summary>
    /// Tombstones of erased users, and the guard that refuses their rows in every user-keyed
    /// table (see <see cref="ErasedUsers"/>). No model change: EF never maps these.
    /// </summary>
    [DbContext(typeof(RatingsDbContext))]
    [Migration("20261201013000_ErasedUsers")]
    public partial class ErasedUsers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTombstones();
            migrationBuilder.GuardAgainstErasedUsers("ratings", "user_id");
            migrationBuilder.GuardAgainstErasedUsers("wishlist_entries", "user_id");
            migrationBuilder.GuardAgainstErasedUsers("comments", "user_id");
            migrationBuilder.GuardAgainstErasedUsers("comment_likes", "user_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            migrationBuilder.DropTombstones("ratings", "wishlist_entries", "comments", "comment_likes");
    }
}
