using Matcha.Accounts.Data;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Accounts.Deletion;

/// <summary>
/// The saga's last act, once every participant confirmed: the account row goes (its sessions
/// and refresh tokens with it, by cascade), and so do the saga's own commands and the
/// announcements of the account's name in the outbox, which name the user. What stays is the tombstone and the deletion record: this id existed,
/// and when it was deleted. The email is free for a new sign-up from here on.
/// </summary>
internal static class AccountEraser
{
    public static async Task EraseAsync(AccountsDbContext db, AccountDeletion deletion, CancellationToken cancellationToken)
    {
        var completedAt = deletion.CompletedAt ?? throw new InvalidOperationException($"Deletion {deletion.Id} is not complete.");
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO deleted_accounts (id, deleted_at) VALUES ({deletion.UserId}, {completedAt})
            ON CONFLICT DO NOTHING
            """, cancellationToken);
        await db.Users.Where(u => u.Id == deletion.UserId).ExecuteDeleteAsync(cancellationToken);
        var commands = $"deletion/{deletion.Id}/%";
        var profile = $"account/{deletion.UserId}";
        await db.Database.ExecuteSqlAsync($"DELETE FROM outbox_messages WHERE aggregate_id LIKE {commands} OR aggregate_id = {profile}", cancellationToken);
    }
}
