using Matcha.Data.Erasure;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Social.Data.Migrations
{
    /// <summary>
    /// Tombstones of erased users, and the guard that refuses follows from or to them (see
    /// <see cref="ErasedUsers"/>). Members and activities come from events, which stop with the
    /// saga, so they are left unguarded: a refused event would only come back forever.
    /// </summary>
    [DbContext(typeof(SocialDbContext))]
    [Migration("20261201013000_ErasedUsers")]
    public partial class ErasedUsers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTombstones();
            migrationBuilder.GuardAgainstErasedUsers("follows", "follower_id", "followee_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            migrationBuilder.DropTombstones("follows");
    }
}
