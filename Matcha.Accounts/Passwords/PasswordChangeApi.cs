using Matcha.Accounts.Data;
using Matcha.Accounts.Sessions;
using Matcha.Accounts.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Accounts.Passwords;

internal static class PasswordChangeApi
{
    public static IEndpointRouteBuilder MapPasswordChangeApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/me/password", ChangePassword)
            .WithTags("Users")
            .WithSummary("Changes the password (the current one is checked like a sign-in); every other session of the user ends.")
            .RequireAuthorization();
        return app;
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult, NotFound>> ChangePassword(
        ChangePasswordRequest request, CurrentUser user, HttpContext context, AccountsDbContext db, PasswordHasher hasher,
        LoginThrottle throttle, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>()
            .Add("currentPassword", request.CurrentPassword switch
            {
                null or "" => "currentPassword is required.",
                { Length: > PasswordPolicy.MaxLength * 2 } => $"currentPassword must be at most {PasswordPolicy.MaxLength} characters.",
                _ => null,
            })
            .Add("newPassword", request.NewPassword is null ? "newPassword is required." : PasswordPolicy.Check(request.NewPassword));
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        // The row lock orders a change against a racing DELETE /me or a second change.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var account = await db.Users.FromSql($"SELECT * FROM users WHERE id = {user.Id} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);
        if (account is null || account.DeletionRequestedAt is not null)
        {
            return TypedResults.NotFound();
        }

        // Checked like a sign-in and counted with its failures: a stolen access token cannot guess the password faster.
        var address = context.Connection.RemoteIpAddress;
        var attempt = await throttle.TryBeginAsync(account.Email, address);
        if (attempt.RetryAfter is { } wait)
        {
            return SessionsApi.TooManyAttempts(context, wait);
        }
        if (await hasher.VerifyAsync(account.PasswordHash, PasswordPolicy.Normalize(request.CurrentPassword!), cancellationToken) is PasswordVerification.Failed)
        {
            await Task.Delay(throttle.FailureDelay(attempt), cancellationToken);
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "The current password is not correct",
                extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["currentPassword"] = ["currentPassword is not correct."] } });
        }
        await throttle.SucceededAsync(account.Email, address);

        account.PasswordHash = await hasher.HashAsync(PasswordPolicy.Normalize(request.NewPassword!), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        // Every other sign-in ends (its refresh tokens stop working); the one asking goes on.
        // A token without a session id (issued before sessions were named) keeps nothing.
        Guid? current = Guid.TryParse(context.User.FindFirst(InternalIdentity.SessionClaim)?.Value, out var sid) ? sid : null;
        var now = clock.GetUtcNow();
        await db.SessionFamilies.Where(f => f.UserId == user.Id && f.RevokedAt == null && f.Id != current)
            .ExecuteUpdateAsync(f => f.SetProperty(x => x.RevokedAt, now), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);
