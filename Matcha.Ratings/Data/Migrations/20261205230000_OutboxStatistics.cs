using Matcha.EventBus;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Ratings.Data.Migrations
{
    /// <summary>
    /// Planner statistics for the outbox's columns that statements read by, from a small sample, and none for what it
    /// carries (payloads, trace ids): its every autovacuum analyze sorted 30,000 of each (docs/performance.md, "The outbox's analyze").
    /// </summary>
    [DbContext(typeof(RatingsDbContext))]
    [Migration("20261205230000_OutboxStatistics")]
    public partial class OutboxStatistics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.SetOutboxStatisticsTargets();

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.ResetOutboxStatisticsTargets();
    }
}
