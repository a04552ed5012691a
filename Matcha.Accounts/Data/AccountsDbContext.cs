using Matcha.Accounts.Deletion;
using Matcha.Accounts.Mail;
using Matcha.Accounts.Sessions;
using Matcha.Accounts.SigningKeys;
using Matcha.Accounts.Users;
using Matcha.Accounts.Verification;
using Matcha.Data;
using Matcha.EventBus;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Matcha.Accounts.Data;

public sealed class AccountsDbContext : DbContext
{
    public AccountsDbContext(DbContextOptions<AccountsDbContext> options) : base(options) => Database.ApplyContextDefaults();

    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    public DbSet<User> Users => Set<User>();
    public DbSet<SessionFamily> SessionFamilies => Set<SessionFamily>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<AccountDeletion> AccountDeletions => Set<AccountDeletion>();
    public DbSet<DeletedAccount> DeletedAccounts => Set<DeletedAccount>();
    public DbSet<EmailVerification> EmailVerifications => Set<EmailVerification>();
    public DbSet<OutgoingMail> OutgoingMails => Set<OutgoingMail>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<SigningKey>(key =>
        {
            key.HasKey(k => k.Kid);
            key.Property(k => k.Kid).HasMaxLength(64);
            key.Property(k => k.Algorithm).HasMaxLength(16);
        });

        modelBuilder.Entity<User>(user =>
        {
            user.Property(u => u.Email).HasMaxLength(AccountInput.MaxEmailLength);
            user.HasIndex(u => u.Email).IsUnique();
            user.HasIndex(u => u.Handle).IsUnique();
            user.Property(u => u.DisplayName).HasMaxLength(AccountInput.MaxDisplayNameLength);
            user.Property(u => u.PasswordHash).HasMaxLength(256);
        });

        modelBuilder.Entity<EmailVerification>(verification =>
        {
            verification.HasIndex(v => v.TokenHash).IsUnique();
            verification.HasOne<User>().WithMany().HasForeignKey(v => v.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<OutgoingMail>(mail =>
        {
            mail.Property(m => m.To).HasMaxLength(AccountInput.MaxEmailLength);
            mail.Property(m => m.Subject).HasMaxLength(200);
            mail.HasIndex(m => m.NextAttemptAt);
        });

        modelBuilder.Entity<SessionFamily>(family =>
        {
            family.HasOne<User>().WithMany().HasForeignKey(f => f.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<RefreshToken>(token =>
        {
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.HasOne(t => t.Family).WithMany().HasForeignKey(t => t.FamilyId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<AccountDeletion>(deletion =>
        {
            // No foreign key to users: the deletion outlives the account it erased.
            deletion.HasIndex(d => d.UserId).IsUnique();
            deletion.Property(d => d.State).HasConversion<string>().HasMaxLength(20);
            deletion.Property(d => d.Step).HasConversion<string>().HasMaxLength(20);
            deletion.Property(d => d.LastError).HasMaxLength(1000);
            deletion.Property(d => d.TraceParent).HasMaxLength(55);
            deletion.Property(d => d.TraceState).HasMaxLength(512);
            deletion.HasIndex(d => new { d.State, d.NextAttemptAt });
        });

        modelBuilder.Entity<DeletedAccount>(deleted => deleted.Property(d => d.Id).ValueGeneratedNever());

        modelBuilder.AddEventOutbox();
        modelBuilder.AddEventInbox();
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service.</summary>
internal sealed class AccountsDbContextFactory : IDesignTimeDbContextFactory<AccountsDbContext>
{
    public AccountsDbContext CreateDbContext(string[] args) => new(Database.DesignTimeOptions<AccountsDbContext>());
}
