namespace Matcha.Accounts.Sessions;

/// <summary>
/// One sign-in and every refresh token descended from it. Revoking the family (sign-out,
/// or a refresh token replayed) ends all of them at once.
/// </summary>
public sealed class SessionFamily
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>A refresh token, kept only as its SHA-256: a copy of the table cannot be replayed.</summary>
public sealed class RefreshToken
{
    public Guid Id { get; set; }
    public Guid FamilyId { get; set; }
    public SessionFamily Family { get; set; } = null!;
    public required byte[] TokenHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>Set once, by the one refresh that consumed it; a second use is a replay.</summary>
    public DateTimeOffset? UsedAt { get; set; }
}
