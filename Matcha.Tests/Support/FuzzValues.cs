using System.Text;

namespace Matcha.Tests.Support;

/// <summary>
/// Hostile values for one parameter. URL values are already escaped for a URL (raw <c>%FF</c> is
/// invalid UTF-8); body values are JSON texts put in place of the field's value.
/// </summary>
public static class FuzzValues
{
    private static readonly string Long = new('a', 20_000);

    /// <summary>For path segments and query values: escaped text, sent as written.</summary>
    public static IReadOnlyList<string> ForUrl(string type)
    {
        List<string> values =
        [
            "%00", "a%00b", "%01%1F%7F", "%FF%FE", "%C3%28", "%ED%A0%80", Long[..3000],
            "-1", "0", "1.5", "-9223372036854775809", "99999999999999999999999", "1e400", "NaN",
            "9223372036854775807.9223372036854775807", "-9223372036854775808.-1", "3155378976000000000.1", "..", "x.y.z",
            "eyJ9", "%7B%7D", Guid.Empty.ToString(), "00000000-0000-0000-0000-00000000000G",
        ];
        if (type is "string")
        {
            values.Add("%E2%80%AE%F0%9F%98%80");   // right-to-left override and an emoji
        }
        return values;
    }

    /// <summary>JSON texts for one field of a body, whatever its declared type.</summary>
    public static IReadOnlyList<string> ForJson() =>
    [
        "\"\\u0000\"", "\"a\\u0000b\"", "\"\\u0001\\u001f\\u007f\"", "\"\\ud800\"", $"\"{new string('a', 100_000)}\"",
        "-1", "0", "0.25", "1e308", "-1e308", "1e400", "123456789012345678901234567890", "-9223372036854775809",
        "true", "null", "[]", "{}", "\"NaN\"", "\"-1\"", $"\"{Guid.Empty}\"",
    ];

    /// <summary>Whole bodies that are not the JSON an endpoint expects.</summary>
    public static IReadOnlyList<byte[]> Bodies() =>
    [
        [],
        "null"u8.ToArray(),
        "[]"u8.ToArray(),
        "{"u8.ToArray(),
        "{\"a\":"u8.ToArray(),
        [0x7B, 0x22, 0x74, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D],   // {"t":"\xC3(" : invalid UTF-8
        [0xFF, 0xFE, 0x00, 0x00],
        Encoding.UTF8.GetBytes(new string('[', 5_000) + new string(']', 5_000)),
        Encoding.UTF8.GetBytes("\"" + new string('a', 100_000) + "\""),
    ];
}
