using Matcha.EventBus;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Matcha.Accounts.Data.Migrations
{
    /// <summary>
    /// No NOTIFY on the outbox: the relay is woken by this service's own commits (OutboxWake), since
    /// notifying commits queue on one server-wide lock (docs/performance.md, "The relay's wake-up, in process").
    /// </summary>
    [DbContext(typeof(AccountsDbContext))]
    [Migration("20261203130000_OutboxWakeInProcess")]
    public partial class OutboxWakeInProcess : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.DropOutboxNotifyTrigger();

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.CreateOutboxNotifyTrigger();
    }
}
