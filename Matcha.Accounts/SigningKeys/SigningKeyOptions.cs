using System.ComponentModel.DataAnnotations;

namespace Matcha.Accounts.SigningKeys;

public sealed class SigningKeyOptions
{
    public const string Section = "Accounts:SigningKeys";

    /// <summary>
    /// The secret that encrypts private keys at rest, kept outside the database (an AppHost
    /// secret parameter), so a copy of <c>accountsdb</c> alone cannot mint tokens.
    /// </summary>
    [Required(ErrorMessage = "Accounts:SigningKeys:EncryptionSecret must be set (the AppHost passes its 'accounts-signing-secret' parameter).")]
    [MinLength(16, ErrorMessage = "Accounts:SigningKeys:EncryptionSecret must be at least 16 characters.")]
    public string? EncryptionSecret { get; set; }

    /// <summary>How long a retired key stays in the JWKS: at least the access-token lifetime.</summary>
    public TimeSpan PublishRetiredFor { get; set; } = TimeSpan.FromMinutes(30);
}
