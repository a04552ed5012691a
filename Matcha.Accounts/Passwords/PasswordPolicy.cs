using System.Collections.Frozen;
using System.Text;

namespace Matcha.Accounts.Passwords;

/// <summary>
/// NIST SP 800-63B-4 for a password that is the only factor: at least 15 characters
/// (Unicode code points, after NFKC), a generous maximum, no composition rules, and a
/// check against common passwords. The blocklist is zxcvbn's 30,000 most common passwords
/// (from leaked corpora); a password is refused when it is one of them, one of them
/// followed only by digits, or one short piece repeated (<c>passwordpassword</c>).
/// </summary>
public static class PasswordPolicy
{
    public const int MinLength = 15;
    public const int MaxLength = 128;

    private static readonly Lazy<FrozenSet<string>> Common = new(LoadCommonPasswords);

    /// <summary>What the client should read, or null when the password is acceptable.</summary>
    public static string? Check(string password)
    {
        var normalized = Normalize(password);
        var length = normalized.EnumerateRunes().Count();
        if (length < MinLength)
        {
            return $"password must be at least {MinLength} characters.";
        }
        if (length > MaxLength)
        {
            return $"password must be at most {MaxLength} characters.";
        }
        var lower = normalized.ToLowerInvariant();
        if (Common.Value.Contains(lower) || Common.Value.Contains(lower.TrimEnd("0123456789".ToCharArray())))
        {
            return "password is too common; choose a longer phrase of your own.";
        }
        if (IsRepetition(lower))
        {
            return "password repeats one short piece; choose a longer phrase of your own.";
        }
        return null;
    }

    /// <summary>NIST asks for one Unicode normalization before hashing, so equal-looking passwords match.</summary>
    public static string Normalize(string password) => password.Normalize(NormalizationForm.FormKC);

    private static bool IsRepetition(string password)
    {
        for (var unit = 1; unit <= password.Length / 2; unit++)
        {
            if (password.Length % unit == 0 && IsRepeatOf(password, unit))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsRepeatOf(string password, int unit)
    {
        var piece = password.AsSpan(0, unit);
        for (var start = unit; start < password.Length; start += unit)
        {
            if (!password.AsSpan(start, unit).SequenceEqual(piece))
            {
                return false;
            }
        }
        return true;
    }

    private static FrozenSet<string> LoadCommonPasswords()
    {
        using var stream = typeof(PasswordPolicy).Assembly.GetManifestResourceStream("common-passwords.txt")
            ?? throw new InvalidOperationException("The embedded common-password list is missing.");
        using var reader = new StreamReader(stream);
        var words = new List<string>(30_000);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                words.Add(line);
            }
        }
        return words.ToFrozenSet(StringComparer.Ordinal);
    }
}
