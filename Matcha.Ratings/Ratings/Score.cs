using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matcha.Ratings.Ratings;

/// <summary>A score is 0.5 to 5.0 stars in half-star steps; anything else is a 400 naming <c>score</c>.</summary>
public static class Score
{
    public const decimal Min = 0.5m;
    public const decimal Max = 5.0m;
    public const decimal Step = 0.5m;

    public static bool IsValid(decimal score) => score is >= Min and <= Max && score % Step == 0;

    /// <summary>Reads <c>{"score": 4.5}</c>. A missing, non-numeric or off-step value is refused.</summary>
    public static bool TryRead(JsonElement body, out decimal score, [NotNullWhen(false)] out ValidationProblem? problem)
    {
        score = 0;
        problem = null;
        if (body.ValueKind == JsonValueKind.Object
            && TryGetProperty(body, "score", out var value)
            && value.ValueKind == JsonValueKind.Number
            && value.TryGetDecimal(out score)
            && IsValid(score))
        {
            return true;
        }
        problem = TypedResults.ValidationProblem(new Dictionary<string, string[]>
        {
            ["score"] = [$"score must be a number from {Min} to {Max} in steps of {Step}."],
        });
        return false;
    }

    /// <summary>Case-insensitive, as the web JSON defaults bind other bodies.</summary>
    internal static bool TryGetProperty(JsonElement body, string name, out JsonElement value)
    {
        foreach (var property in body.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }
        value = default;
        return false;
    }
}
