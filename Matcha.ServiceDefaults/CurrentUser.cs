using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Matcha.ServiceDefaults;

/// <summary>
/// The caller, as the gateway's internal token names them. A handler takes it as a
/// parameter on an endpoint that requires authorization; ownership checks are then one
/// line: <c>comment.UserId == user.Id</c>.
/// </summary>
public sealed record CurrentUser(Guid Id, string DisplayName, IReadOnlyList<string> Roles)
{
    public bool IsAdmin => Roles.Contains(InternalIdentity.AdminRole);

    /// <summary>Null for an anonymous caller or a principal without a user id.</summary>
    public static CurrentUser? From(ClaimsPrincipal principal) =>
        principal.Identity?.IsAuthenticated == true
        && Guid.TryParse(principal.FindFirstValue(JwtRegisteredClaimNames.Sub), out var id)
            ? new CurrentUser(
                id,
                principal.FindFirstValue(InternalIdentity.NameClaim) ?? "",
                [.. principal.FindAll(InternalIdentity.RoleClaim).Select(c => c.Value)])
            : null;

    /// <summary>Minimal API binding: an endpoint can declare <c>CurrentUser user</c>.</summary>
    public static ValueTask<CurrentUser?> BindAsync(HttpContext context) => ValueTask.FromResult(From(context.User));
}
