using Matcha.Accounts.Data;
using Matcha.Accounts.Mail;
using Matcha.Accounts.Passwords;
using Matcha.Accounts.Sessions;
using Matcha.Accounts.Verification;
using Matcha.EventBus;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Matcha.Accounts.Users;

internal static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/signup", SignUp)
            .WithTags("Users")
            .WithSummary("Creates an account and mails a verification link. The answer is the same whether or not the email was already registered.")
            .AllowAnonymous();

        var me = app.MapGroup("/me").WithTags("Users").RequireAuthorization();
        me.MapGet("/", GetMe).WithSummary("The signed-in user's profile.");
        me.MapPatch("/", PatchMe).WithSummary("Changes the display name; nothing else can be changed here.");
        return app;
    }

    /// <summary>
    /// Every sign-up is answered the same 201 ("check your email") after the same hashing work,
    /// and every one stores one mail to the address given, in the same transaction: a new
    /// email gets its verification link; a taken one gets a notice that someone tried (or, if
    /// its account was never verified, a fresh link) and its account is not changed. Only the
    /// owner of the mailbox learns which happened (see docs/security.md).
    /// </summary>
    private static async Task<Results<Created<SignUpResponse>, ValidationProblem, ProblemHttpResult>> SignUp(
        SignUpRequest request, HttpContext context, AccountsDbContext db, PasswordHasher hasher, SignUpThrottle throttle,
        MailSignal mailSignal, IOptions<MailOptions> mailOptions, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>()
            .Add("email", AccountInput.CheckEmail(request.Email))
            .Add("password", request.Password is null ? "password is required." : PasswordPolicy.Check(request.Password))
            .Add("displayName", AccountInput.CheckDisplayName(request.DisplayName));
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var email = AccountInput.NormalizeEmail(request.Email!);
        if (await throttle.TryBeginAsync(email, context.Connection.RemoteIpAddress) is { } wait)
        {
            return SessionsApi.TooManyAttempts(context, wait, "Too many sign-ups");
        }
        var mail = mailOptions.Value;
        var now = clock.GetUtcNow();
        var user = new User
        {
            Id = Guid.CreateVersion7(),
            Handle = Guid.NewGuid(),
            Email = email,
            DisplayName = request.DisplayName!.Trim(),
            PasswordHash = await hasher.HashAsync(PasswordPolicy.Normalize(request.Password!), cancellationToken),
            CreatedAt = now,
        };
        var (token, verification) = EmailVerification.Create(user.Id, now + mail.VerificationLifetime);
        db.Users.Add(user);
        db.EmailVerifications.Add(verification);
        db.OutgoingMails.Add(AccountMails.VerifyEmail(email, user.DisplayName, token, mail, now));
        // In the account's own transaction: announced exactly when the account exists.
        db.AddEvent(new AccountProfileChanged(user.Id, user.DisplayName, user.CreatedAt.UtcTicks, user.Handle), clock);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            db.ChangeTracker.Clear();
            await TellTheOwnerAsync(email, db, mail, now, cancellationToken);
        }
        mailSignal.Notify();
        return TypedResults.Created((string?)null, new SignUpResponse(email));
    }

    /// <summary>A taken email: its account is untouched; its owner is told, and given a new link if it was never verified.</summary>
    private static async Task TellTheOwnerAsync(string email, AccountsDbContext db, MailOptions mail, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var owner = await db.Users.AsNoTracking()
            .Where(u => u.Email == email)
            .Select(u => new { u.Id, u.DisplayName, u.EmailVerifiedAt, u.DeletionRequestedAt })
            .SingleOrDefaultAsync(cancellationToken);
        if (owner is { EmailVerifiedAt: null, DeletionRequestedAt: null })
        {
            var (token, verification) = EmailVerification.Create(owner.Id, now + mail.VerificationLifetime);
            db.EmailVerifications.Add(verification);
            db.OutgoingMails.Add(AccountMails.VerifyEmail(email, owner.DisplayName, token, mail, now));
        }
        else
        {
            db.OutgoingMails.Add(AccountMails.SomeoneTriedToSignUp(email, mail, now));
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    private static async Task<Results<Ok<Profile>, NotFound>> GetMe(CurrentUser user, AccountsDbContext db, CancellationToken cancellationToken) =>
        await ProfileOfAsync(user.Id, db, cancellationToken) is { } profile ? TypedResults.Ok(profile) : TypedResults.NotFound();

    /// <summary>The body binds to <see cref="PatchMeRequest"/> only: an <c>id</c>, <c>email</c> or <c>roles</c> in it is never read.</summary>
    private static async Task<Results<Ok<Profile>, NotFound, ValidationProblem>> PatchMe(
        PatchMeRequest request, CurrentUser user, AccountsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (AccountInput.CheckDisplayName(request.DisplayName) is { } error)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["displayName"] = [error] });
        }

        var displayName = request.DisplayName!.Trim();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var changed = await db.Users.Where(u => u.Id == user.Id && u.DeletionRequestedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.DisplayName, displayName), cancellationToken);
        if (changed > 0)
        {
            var handle = await db.Users.Where(u => u.Id == user.Id).Select(u => u.Handle).SingleAsync(cancellationToken);
            db.AddEvent(new AccountProfileChanged(user.Id, displayName, clock.GetUtcNow().UtcTicks, handle), clock);
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return changed > 0 && await ProfileOfAsync(user.Id, db, cancellationToken) is { } profile
            ? TypedResults.Ok(profile)
            : TypedResults.NotFound();
    }

    private static Task<Profile?> ProfileOfAsync(Guid userId, AccountsDbContext db, CancellationToken cancellationToken) =>
        db.Users.AsNoTracking()
            .Where(u => u.Id == userId && u.DeletionRequestedAt == null)
            .Select(u => new Profile(u.Id, u.Email, u.DisplayName, u.Roles, u.Handle))
            .SingleOrDefaultAsync(cancellationToken);
}

public sealed record SignUpRequest(string? Email, string? Password, string? DisplayName);

public sealed record SignUpResponse(string Email);

public sealed record PatchMeRequest(string? DisplayName);

/// <summary>The caller's own account; <see cref="Handle"/> names their public profile.</summary>
public sealed record Profile(Guid Id, string Email, string DisplayName, IReadOnlyList<string> Roles, Guid Handle);
