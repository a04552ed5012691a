namespace Matcha.ServiceDefaults;

/// <summary>
/// Whether a client's text can be stored or compared in Postgres: a NUL is refused by Postgres'
/// text types, and a lone UTF-16 surrogate (which JSON's <c>\ud800</c> can carry) has no UTF-8
/// form, so Npgsql cannot send it. Either would fail the query with a 500; endpoints check first
/// and answer a 400 naming the field.
/// </summary>
public static class StoredText
{
    public static bool IsStorable(string? text)
    {
        if (text is null)
        {
            return true;
        }
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0' || char.IsLowSurrogate(c))
            {
                return false;
            }
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }
                i++;
            }
        }
        return true;
    }

    /// <summary>A LIKE/ILIKE pattern matching texts that contain <paramref name="text"/> literally (its <c>%</c>, <c>_</c> and <c>\</c> escaped).</summary>
    public static string ContainsPattern(string text) =>
        $"%{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal)}%";
}
