using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Matcha.Data.Erasure;

/// <summary>
/// Answers a write refused by the erased-user guard as the gateway answers a deleted account's
/// writes: 401 with a problem document when the erased user is the caller, and 404 when the
/// write named someone else who is gone (following a deleted member). Nothing was written.
/// </summary>
public sealed class ErasedUserWriteHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var refusal = Refusal(exception);
        if (refusal is null)
        {
            return false;
        }
        // The guard names the column it refused; of those, only a followee is not the caller.
        var self = refusal.Detail != ErasedUsers.OtherPartyColumn;
        httpContext.Response.StatusCode = self ? StatusCodes.Status401Unauthorized : StatusCodes.Status404NotFound;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = httpContext.Response.StatusCode,
                Title = self ? "This account has been deleted" : "That account has been deleted",
                Detail = self ? "A deleted account's tokens can no longer change anything." : "The other account of this request no longer exists.",
            },
        });
    }

    private static PostgresException? Refusal(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is PostgresException { SqlState: ErasedUsers.SqlState } refusal)
            {
                return refusal;
            }
        }
        return null;
    }
}
