using System.ComponentModel.DataAnnotations;

namespace Matcha.Gateway.Authentication;

public sealed class AccessTokenOptions
{
    public const string Section = "Gateway:AccessTokens";

    [Required]
    public string Issuer { get; set; } = "matcha-accounts";

    [Required]
    public string Audience { get; set; } = "matcha-gateway";

    /// <summary>Accounts' JWKS, through service discovery.</summary>
    [Required]
    public string JwksUri { get; set; } = "http://accounts/.well-known/jwks.json";

    [Range(typeof(TimeSpan), "00:00:00", "00:00:30", ErrorMessage = "Gateway:AccessTokens:ClockSkew must be at most 30 seconds.")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Keys older than this are fetched again, so retired ones eventually drop out.</summary>
    public TimeSpan JwksRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The least time between two fetches caused by an unknown <c>kid</c>: a key rotation is
    /// picked up at once, and tokens with made-up kids cannot hammer Accounts.
    /// </summary>
    public TimeSpan JwksMinimumRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);
}
