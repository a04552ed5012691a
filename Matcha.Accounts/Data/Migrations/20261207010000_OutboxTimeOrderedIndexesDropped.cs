using Matcha.EventBus;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Accounts.Data.Migrations
{
    /// <summary>
    /// The outbox's indexes of the event id and of the publication time go: no statement reads by either, and each
    /// cost every row an entry at its insert and another at its mark, on the same last pages (docs/performance.md).
    /// </summary>
    [DbContext(typeof(AccountsDbContext))]
    [Migration("20261207010000_OutboxTimeOrderedIndexesDropped")]
    public partial class OutboxTimeOrderedIndexesDropped : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.DropOutboxTimeOrderedIndexes();

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.CreateOutboxTimeOrderedIndexes();
    }
}
