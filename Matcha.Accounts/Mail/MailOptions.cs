using System.ComponentModel.DataAnnotations;

namespace Matcha.Accounts.Mail;

public sealed class MailOptions
{
    public const string Section = "Accounts:Mail";

    /// <summary>The SMTP server (the AppHost's local sink, smtp4dev, in development and tests).</summary>
    [Required(ErrorMessage = "Accounts:Mail:SmtpHost is required (the SMTP server mail is sent through).")]
    public string SmtpHost { get; set; } = "";

    [Range(1, 65535)]
    public int SmtpPort { get; set; } = 25;

    public string From { get; set; } = "Matcha <no-reply@matcha.local>";

    /// <summary>Where links in mail point: the web app's public address (the gateway).</summary>
    [Required(ErrorMessage = "Accounts:Mail:SiteUrl is required (the web app's address that links in mail point to).")]
    public string SiteUrl { get; set; } = "";

    /// <summary>How long a verification link works.</summary>
    public TimeSpan VerificationLifetime { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
}
