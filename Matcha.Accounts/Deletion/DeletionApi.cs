using System.Diagnostics;
using System.Globalization;
using Matcha.Accounts.Data;
using Matcha.Accounts.Passwords;
using Matcha.Accounts.Sessions;
using Matcha.EventBus;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Matcha.Accounts.Deletion;

internal static class DeletionApi
{
    /// <summary>The status resource's public address (the gateway's route <c>accounts-deletion-status</c>).</summary>
    public static string StatusUrl(Guid deletionId) => $"/api/accounts/deletions/{deletionId}";

    public static IEndpointRouteBuilder MapDeletionApi(this IEndpointRouteBuilder app)
    {
        app.MapDelete("/me", DeleteMe)
            .WithTags("Deletion")
            .WithSummary("Deletes the signed-in account (needs a fresh sign-in or the password); 202 with the status URL.")
            .RequireAuthorization();

        app.MapGet("/deletions/{id:guid}", GetStatus)
            .WithTags("Deletion")
            .WithSummary("A deletion's state. Public: the random id is the capability, and only the state is shown.")
            .AllowAnonymous();

        var admin = app.MapGroup("/admin/deletions")
            .WithTags("Deletion")
            .RequireAuthorization(policy => policy.RequireRole(InternalIdentity.AdminRole));
        admin.MapGet("/", ListDeletions).WithSummary("Deletions in a state (needsAttention, running, completed), oldest first.");
        admin.MapPost("/{id:guid}/retry", RetryDeletion).WithSummary("Sends a deletion that needs attention on its way again, with a fresh budget of attempts.");
        return app;
    }

    private static async Task<Results<Accepted<DeletionStatus>, ProblemHttpResult, NotFound>> DeleteMe(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] DeleteAccountRequest? request,
        CurrentUser user, HttpContext context, AccountsDbContext db, PasswordHasher hasher, LoginThrottle throttle, AccessTokenDenial denial,
        IOptions<DeletionOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var account = await db.Users.FromSql($"SELECT * FROM users WHERE id = {user.Id} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);
        if (account is null)
        {
            return TypedResults.NotFound();
        }
        if (account.DeletionRequestedAt is not null)
        {
            // Asked twice: the same saga, the same answer.
            var existing = await db.AccountDeletions.AsNoTracking().SingleAsync(d => d.UserId == user.Id, cancellationToken);
            return TypedResults.Accepted(StatusUrl(existing.Id), DeletionStatus.Of(existing));
        }

        if (!SignedInRecently(context, now, options.Value.FreshSignIn))
        {
            if (string.IsNullOrEmpty(request?.Password))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "A fresh sign-in is required",
                    detail: $"Deleting the account needs a sign-in from the last {options.Value.FreshSignIn.TotalMinutes:0} minutes, or the password in the body: {{\"password\": \"…\"}}.");
            }
            // A password check like sign-in's: counted with sign-in failures, refused beyond their limits.
            var attempt = await throttle.TryBeginAsync(account.Email, context.Connection.RemoteIpAddress);
            if (attempt.RetryAfter is { } wait)
            {
                return SessionsApi.TooManyAttempts(context, wait);
            }
            if (await hasher.VerifyAsync(account.PasswordHash, PasswordPolicy.Normalize(request.Password), cancellationToken) is PasswordVerification.Failed)
            {
                await Task.Delay(throttle.FailureDelay(attempt), cancellationToken);
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "The password is not correct",
                    extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["password"] = ["password is not correct."] } });
            }
            await throttle.SucceededAsync(account.Email, context.Connection.RemoteIpAddress);
        }

        account.DeletionRequestedAt = now;
        await db.SessionFamilies.Where(f => f.UserId == user.Id && f.RevokedAt == null)
            .ExecuteUpdateAsync(f => f.SetProperty(x => x.RevokedAt, now), cancellationToken);
        var activity = Activity.Current;
        var deletion = DeletionSaga.Start(user.Id, now, options.Value,
            activity?.IdFormat == ActivityIdFormat.W3C ? activity.Id : null, activity?.TraceStateString);
        // The account row is locked, so no rename can add an announcement after this read.
        var profile = $"account/{user.Id}";
        deletion.ProfileEventIds = await db.Set<OutboxMessage>().Where(m => m.AggregateId == profile).Select(m => m.EventId).ToListAsync(cancellationToken);
        db.AccountDeletions.Add(deletion);
        // The first step leaves with the request: Ratings hides the user's content as soon as it reads it.
        db.AddEvent(deletion.Command(), clock);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        if (await denial.TryDenyAsync(user.Id))
        {
            await db.AccountDeletions.Where(d => d.Id == deletion.Id)
                .ExecuteUpdateAsync(d => d.SetProperty(x => x.AccessTokensDenied, true), cancellationToken);
        }
        return TypedResults.Accepted(StatusUrl(deletion.Id), DeletionStatus.Of(deletion));
    }

    /// <summary>The gateway carries the access token's <c>auth_time</c> (when the password was last given) into its internal token.</summary>
    private static bool SignedInRecently(HttpContext context, DateTimeOffset now, TimeSpan window) =>
        long.TryParse(context.User.FindFirst("auth_time")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
        && now - DateTimeOffset.FromUnixTimeSeconds(seconds) <= window;

    private static async Task<Results<Ok<DeletionStatus>, NotFound>> GetStatus(Guid id, AccountsDbContext db, CancellationToken cancellationToken) =>
        await db.AccountDeletions.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, cancellationToken) is { } deletion
            ? TypedResults.Ok(DeletionStatus.Of(deletion))
            : TypedResults.NotFound();

    private static async Task<Results<Ok<List<DeletionView>>, ValidationProblem>> ListDeletions(
        string? state, AccountsDbContext db, CancellationToken cancellationToken)
    {
        if (!Enum.TryParse<DeletionState>(state ?? nameof(DeletionState.NeedsAttention), ignoreCase: true, out var wanted)
            || !Enum.IsDefined(wanted) || int.TryParse(state, out _))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["state"] = ["state must be needsAttention, running or completed."],
            });
        }
        var deletions = await db.AccountDeletions.AsNoTracking()
            .Where(d => d.State == wanted)
            .OrderBy(d => d.RequestedAt)
            .Take(500)
            .Select(d => new DeletionView(d.Id, d.UserId, d.State, d.Step, d.Attempt, d.Sends, d.LastError, d.RequestedAt, d.UpdatedAt, d.CompletedAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(deletions);
    }

    private static async Task<Results<Ok<DeletionStatus>, NotFound, Conflict<DeletionStatus>>> RetryDeletion(
        Guid id, AccountsDbContext db, IOptions<DeletionOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var deletion = await db.AccountDeletions.FromSql($"SELECT * FROM account_deletions WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);
        if (deletion is null)
        {
            return TypedResults.NotFound();
        }
        if (!deletion.Retry(clock.GetUtcNow(), options.Value))
        {
            return TypedResults.Conflict(DeletionStatus.Of(deletion));
        }
        using (DeletionTelemetry.StartStep(deletion, "retry"))
        {
            db.AddEvent(deletion.Command(), clock);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(DeletionStatus.Of(deletion));
    }
}

public sealed record DeleteAccountRequest(string? Password);

/// <summary>What the public status URL shows: the state and nothing about the person.</summary>
public sealed record DeletionStatus(Guid Id, DeletionState State, DateTimeOffset RequestedAt, DateTimeOffset? CompletedAt)
{
    public static DeletionStatus Of(AccountDeletion deletion) => new(deletion.Id, deletion.State, deletion.RequestedAt, deletion.CompletedAt);
}

/// <summary>What an operator sees of a deletion.</summary>
public sealed record DeletionView(
    Guid Id, Guid UserId, DeletionState State, DeletionStep Step, int Attempt, int Sends, string? LastError,
    DateTimeOffset RequestedAt, DateTimeOffset UpdatedAt, DateTimeOffset? CompletedAt);
