using Matcha.EventBus;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Ratings.Data.Migrations
{
    /// <summary>
    /// The outbox's index of each aggregate's unsent rows goes: the relay's claim has not read it since it finds each
    /// aggregate's oldest row among the oldest unsent rows, and every outbox row wrote an entry in it (docs/performance.md).
    /// </summary>
    [DbContext(typeof(RatingsDbContext))]
    [Migration("20261206080000_OutboxAggregateIndexDropped")]
    public partial class OutboxAggregateIndexDropped : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.DropOutboxAggregateIndex();

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.CreateOutboxAggregateIndex();
    }
}
