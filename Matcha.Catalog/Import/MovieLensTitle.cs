using System.Globalization;
using System.Text.RegularExpressions;

namespace Matcha.Catalog.Import;

/// <summary>
/// MovieLens titles: "Shawshank Redemption, The (1994)", "City of Lost Children, The (Cité des
/// enfants perdus, La) (1995)", "Seven (a.k.a. Se7en) (1995)". Gives the English title with
/// its article in front, an original title when one is given in parentheses, and the year.
/// </summary>
internal static partial class MovieLensTitle
{
    private static readonly string[] Articles = ["The", "A", "An", "Les", "La", "Le", "L'", "Il", "Das", "Der", "Die", "El", "Los", "Las"];

    public static (string Title, string? Original, int Year) Parse(string raw)
    {
        var text = raw.Trim();
        var year = 0;
        if (YearSuffix().Match(text) is { Success: true } match)
        {
            year = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            text = text[..match.Index].TrimEnd();
        }

        string? original = null;
        if (Parenthetical().Match(text) is { Success: true } alternative)
        {
            var inner = alternative.Groups[1].Value.Trim();
            text = text[..alternative.Index].TrimEnd();
            if (!inner.StartsWith("a.k.a.", StringComparison.OrdinalIgnoreCase))
            {
                original = MoveArticleToFront(inner);
            }
        }

        return (MoveArticleToFront(text), original, year);
    }

    private static string MoveArticleToFront(string title)
    {
        foreach (var article in Articles)
        {
            var suffix = ", " + article;
            if (title.EndsWith(suffix, StringComparison.Ordinal))
            {
                var rest = title[..^suffix.Length];
                return article.EndsWith('\'') ? article + rest : $"{article} {rest}";
            }
        }
        return title;
    }

    [GeneratedRegex(@"\((\d{4})(?:[–-]\d{0,4})?\)\s*$")]
    private static partial Regex YearSuffix();

    [GeneratedRegex(@"\(([^()]+)\)\s*$")]
    private static partial Regex Parenthetical();
}
