namespace Matcha.Accounts.Users;

/// <summary>A person who can sign in. <see cref="Email"/> is stored normalised, so uniqueness is case-insensitive.</summary>
public sealed class User
{
    public Guid Id { get; set; }

    /// <summary>
    /// The account's public name in URLs: random, minted at sign-up, carried to every service
    /// that shows the account (profiles, comment authors) so none of them exposes <see cref="Id"/>.
    /// </summary>
    public Guid Handle { get; set; }
    public required string Email { get; set; }
    public required string DisplayName { get; set; }
    public required string PasswordHash { get; set; }
    public List<string> Roles { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the owner of <see cref="Email"/> opened the verification link; until then the account cannot sign in.</summary>
    public DateTimeOffset? EmailVerifiedAt { get; set; }

    /// <summary>Set by <c>DELETE /me</c>: from then on the account cannot sign in, and a saga erases it.</summary>
    public DateTimeOffset? DeletionRequestedAt { get; set; }
}
