using System.ComponentModel.DataAnnotations;

namespace Matcha.Accounts.Sessions;

public sealed class TokenOptions
{
    public const string Section = "Accounts:Tokens";

    [Required]
    public string Issuer { get; set; } = "matcha-accounts";

    /// <summary>Access tokens are for the gateway only; services accept nothing but its internal token.</summary>
    [Required]
    public string Audience { get; set; } = "matcha-gateway";

    [Range(typeof(TimeSpan), "00:01:00", "00:15:00", ErrorMessage = "Accounts:Tokens:AccessTokenLifetime must be between 1 and 15 minutes.")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    [Range(typeof(TimeSpan), "00:05:00", "90.00:00:00", ErrorMessage = "Accounts:Tokens:RefreshTokenLifetime must be between 5 minutes and 90 days.")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How long a sign-in lasts however often it is refreshed: then the password is asked again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00", ErrorMessage = "Accounts:Tokens:SessionLifetime must be between 1 second and 365 days.")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromDays(30);
}
