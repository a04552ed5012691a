using System.Globalization;
using System.Text;

namespace Matcha.Catalog.Search;

/// <summary>
/// The one normalisation applied to everything searchable and to every query: lower case,
/// Latin accents removed (Amélie → amelie), Hangul left whole, whitespace collapsed.
/// Done in C# rather than with Postgres' unaccent so that it is the same everywhere.
/// </summary>
public static class SearchText
{
    public static string Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }

        // NFD splits é into e + ◌́; dropping the combining marks and recomposing (NFC) keeps
        // Hangul syllables, which decompose into jamo that are letters, not marks.
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        var lastWasSpace = true;
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            if (char.IsWhiteSpace(c) || c is '-' or ':' or '.' or ',' or '\'' or '’' or '!' or '?')
            {
                if (!lastWasSpace)
                {
                    builder.Append(' ');
                    lastWasSpace = true;
                }
                continue;
            }
            builder.Append(char.ToLowerInvariant(c));
            lastWasSpace = false;
        }
        return builder.ToString().TrimEnd().Normalize(NormalizationForm.FormC);
    }

    public static string Join(IEnumerable<string?> parts) =>
        string.Join(" | ", parts.Select(Normalize).Where(p => p.Length > 0).Distinct());
}
