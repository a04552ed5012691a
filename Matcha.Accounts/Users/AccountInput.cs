using System.Net.Mail;

namespace Matcha.Accounts.Users;

/// <summary>The rules for what clients send about an account; each failure names its field.</summary>
public static class AccountInput
{
    public const int MaxEmailLength = 254;
    public const int MaxDisplayNameLength = 50;

    /// <summary>Trimmed and lower-cased: <c>Ana@Example.COM</c> and <c>ana@example.com</c> are one account.</summary>
    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    public static string? CheckEmail(string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return "email is required.";
        }
        var trimmed = email.Trim();
        if (trimmed.Length > MaxEmailLength)
        {
            return $"email must be at most {MaxEmailLength} characters.";
        }
        return MailAddress.TryCreate(trimmed, out var address) && address.Address == trimmed && address.Host.Contains('.', StringComparison.Ordinal)
            ? null
            : "email is not an email address.";
    }

    public static string? CheckDisplayName(string? displayName)
    {
        if (string.IsNullOrWhiteSpace(displayName))
        {
            return "displayName is required.";
        }
        var trimmed = displayName.Trim();
        if (trimmed.Length > MaxDisplayNameLength)
        {
            return $"displayName must be at most {MaxDisplayNameLength} characters.";
        }
        return trimmed.Any(char.IsControl) ? "displayName must not contain control characters." : null;
    }

    /// <summary>Adds <paramref name="error"/> under <paramref name="field"/> when there is one.</summary>
    public static Dictionary<string, string[]> Add(this Dictionary<string, string[]> errors, string field, string? error)
    {
        if (error is not null)
        {
            errors[field] = [error];
        }
        return errors;
    }
}
