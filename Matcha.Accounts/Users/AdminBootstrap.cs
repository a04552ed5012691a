using Matcha.Accounts.Data;
using Matcha.Accounts.Passwords;
using Matcha.EventBus;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Matcha.Accounts.Users;

public sealed class AdminBootstrapOptions
{
    public const string Section = "Accounts:Bootstrap";

    /// <summary>The first admin's email (AppHost parameter <c>admin-email</c>).</summary>
    public string? AdminEmail { get; set; }

    /// <summary>The first admin's initial password (AppHost secret parameter <c>admin-password</c>).</summary>
    public string? AdminPassword { get; set; }
}

/// <summary>
/// On start, when no admin exists yet and both settings are given, creates the first admin.
/// The only way to hold a role: no endpoint grants one. Runs after the migrator.
/// </summary>
internal sealed partial class AdminBootstrapper(
    IServiceScopeFactory scopes, IOptions<AdminBootstrapOptions> options, TimeProvider clock, ILogger<AdminBootstrapper> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var (email, password) = (options.Value.AdminEmail, options.Value.AdminPassword);
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
        {
            return;
        }
        if ((AccountInput.CheckEmail(email) ?? PasswordPolicy.Check(password)) is { } problem)
        {
            throw new InvalidOperationException($"{AdminBootstrapOptions.Section}: {problem}");
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        if (await db.Users.AnyAsync(u => u.Roles.Contains(InternalIdentity.AdminRole), cancellationToken))
        {
            return;
        }
        var normalized = AccountInput.NormalizeEmail(email);
        var admin = new User
        {
            Id = Guid.CreateVersion7(),
            Handle = Guid.NewGuid(),
            Email = normalized,
            DisplayName = "Admin",
            PasswordHash = await scope.ServiceProvider.GetRequiredService<PasswordHasher>().HashAsync(PasswordPolicy.Normalize(password), cancellationToken),
            Roles = [InternalIdentity.AdminRole],
            CreatedAt = clock.GetUtcNow(),
            EmailVerifiedAt = clock.GetUtcNow(),   // configured by the operator, not claimed through sign-up
        };
        db.Users.Add(admin);
        db.AddEvent(new AccountProfileChanged(admin.Id, admin.DisplayName, admin.CreatedAt.UtcTicks, admin.Handle), clock);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            LogCreated(normalized);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Another replica created it, or the email belongs to an ordinary account, which is never promoted.
            LogNotCreated(normalized);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Bootstrapped the first admin, {Email}")]
    private partial void LogCreated(string email);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Did not bootstrap an admin: {Email} is already registered")]
    private partial void LogNotCreated(string email);
}
