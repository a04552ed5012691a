using System.ComponentModel.DataAnnotations;

namespace Matcha.Accounts.Deletion;

public sealed class DeletionOptions
{
    public const string Section = "Accounts:Deletion";

    /// <summary>A token whose sign-in (<c>auth_time</c>) is older than this needs the password to delete the account.</summary>
    [Range(typeof(TimeSpan), "00:00:30", "00:30:00", ErrorMessage = "Accounts:Deletion:FreshSignIn must be between 30 seconds and 30 minutes.")]
    public TimeSpan FreshSignIn { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a step may stay unanswered before its command is sent again; doubled after each
    /// attempt. Short, because Catalog's step often arrives before the removals it waits for and
    /// answers only the next time.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Accounts:Deletion:StepTimeout must be between 1 second and 1 hour.")]
    public TimeSpan StepTimeout { get; set; } = TimeSpan.FromSeconds(3);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Accounts:Deletion:MaxBackoff must be between 1 second and 1 day.")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Sends of one step before the saga stops and waits for an operator.</summary>
    [Range(1, 100, ErrorMessage = "Accounts:Deletion:MaxAttempts must be between 1 and 100.")]
    public int MaxAttempts { get; set; } = 12;

    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00", ErrorMessage = "Accounts:Deletion:PollInterval must be between 100 ms and 1 minute.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
