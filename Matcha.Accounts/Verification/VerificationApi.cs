using Matcha.Accounts.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Accounts.Verification;

internal static class VerificationApi
{
    public static IEndpointRouteBuilder MapVerificationApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/verify", Verify)
            .WithTags("Users")
            .WithSummary("Confirms an email with the token from its verification link; the account can sign in from then on.")
            .AllowAnonymous();
        return app;
    }

    /// <summary>
    /// Spends the token and marks the email verified in one transaction. An unknown, used or
    /// expired token is one 400 naming <c>token</c>: which of the three is not told.
    /// </summary>
    private static async Task<Results<NoContent, ValidationProblem>> Verify(
        VerifyEmailRequest request, AccountsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Token) || request.Token.Length > 100)
        {
            return Invalid();
        }

        var hash = EmailVerification.Hash(request.Token);
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var row = await db.EmailVerifications.SingleOrDefaultAsync(v => v.TokenHash == hash, cancellationToken);
        if (row is null || row.ExpiresAt <= now)
        {
            return Invalid();
        }
        // Deleting the row first makes two concurrent uses of one link verify once: the loser deletes nothing.
        var spent = await db.EmailVerifications.Where(v => v.Id == row.Id).ExecuteDeleteAsync(cancellationToken);
        var verified = await db.Users.Where(u => u.Id == row.UserId && u.DeletionRequestedAt == null && u.EmailVerifiedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.EmailVerifiedAt, now), cancellationToken);
        if (spent == 0 || verified == 0)
        {
            return Invalid();
        }
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static ValidationProblem Invalid() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]>
        {
            ["token"] = ["The verification link is not valid: it may have expired or been used already. Sign up again for a new one."],
        });
}

public sealed record VerifyEmailRequest(string? Token);
