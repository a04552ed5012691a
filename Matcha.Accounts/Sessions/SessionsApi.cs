using System.Globalization;
using Matcha.Accounts.Data;
using Matcha.Accounts.Passwords;
using Matcha.Accounts.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Accounts.Sessions;

internal static class SessionsApi
{
    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        var sessions = app.MapGroup("/").WithTags("Sessions").AllowAnonymous();
        sessions.MapPost("/login", Login).WithSummary("Signs in: an access token and the first refresh token of a new session.");
        sessions.MapPost("/refresh", Refresh).WithSummary("Rotates a refresh token: a new pair; the old token is spent.");
        sessions.MapPost("/logout", Logout).WithSummary("Signs out: every refresh token of the session stops working.");
        return app;
    }

    private static async Task<Results<Ok<TokenPair>, ValidationProblem, UnauthorizedHttpResult, ProblemHttpResult>> Login(
        LoginRequest request, HttpContext context, AccountsDbContext db, PasswordHasher hasher, LoginThrottle throttle,
        SessionStore sessions, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>()
            .Add("email", AccountInput.CheckEmail(request.Email))
            .Add("password", request.Password switch
            {
                null or "" => "password is required.",
                { Length: > PasswordPolicy.MaxLength * 2 } => $"password must be at most {PasswordPolicy.MaxLength} characters.",
                _ => null,
            });
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var email = AccountInput.NormalizeEmail(request.Email!);
        var address = context.Connection.RemoteIpAddress;
        var attempt = await throttle.TryBeginAsync(email, address);
        if (attempt.RetryAfter is { } wait)
        {
            return TooManyAttempts(context, wait);
        }

        var password = PasswordPolicy.Normalize(request.Password!);
        // An account being deleted signs in no more: it is answered like an unknown email.
        var user = await db.Users.SingleOrDefaultAsync(u => u.Email == email && u.DeletionRequestedAt == null, cancellationToken);
        var verification = PasswordVerification.Failed;
        if (user is null)
        {
            await hasher.VerifyDecoyAsync(password, cancellationToken);
        }
        else
        {
            verification = await hasher.VerifyAsync(user.PasswordHash, password, cancellationToken);
        }

        // An email not yet verified fails like a wrong password, after the same work and counted
        // the same: sign-in cannot tell a claimed-but-unverified address from a wrong guess.
        if (user is null || verification is PasswordVerification.Failed || user.EmailVerifiedAt is null)
        {
            await Task.Delay(throttle.FailureDelay(attempt), cancellationToken);
            return TypedResults.Unauthorized();
        }

        await throttle.SucceededAsync(email, address);
        if (verification is PasswordVerification.SucceededRehashNeeded)
        {
            user.PasswordHash = await hasher.HashAsync(password, cancellationToken);
        }
        return TypedResults.Ok(await sessions.StartAsync(user, cancellationToken));
    }

    private static async Task<Results<Ok<TokenPair>, ValidationProblem, UnauthorizedHttpResult>> Refresh(
        RefreshRequest request, SessionStore sessions, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.RefreshToken))
        {
            return RefreshTokenRequired();
        }
        return await sessions.RefreshAsync(request.RefreshToken, cancellationToken) is { } pair
            ? TypedResults.Ok(pair)
            : TypedResults.Unauthorized();
    }

    private static async Task<Results<NoContent, ValidationProblem>> Logout(
        RefreshRequest request, SessionStore sessions, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.RefreshToken))
        {
            return RefreshTokenRequired();
        }
        await sessions.RevokeAsync(request.RefreshToken, cancellationToken);
        return TypedResults.NoContent();
    }

    private static ValidationProblem RefreshTokenRequired() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["refreshToken"] = ["refreshToken is required."] });

    internal static ProblemHttpResult TooManyAttempts(HttpContext context, TimeSpan wait, string title = "Too many failed sign-ins")
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: title,
            detail: $"Try again in {seconds} seconds.");
    }
}

public sealed record LoginRequest(string? Email, string? Password);

public sealed record RefreshRequest(string? RefreshToken);
