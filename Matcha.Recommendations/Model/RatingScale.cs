namespace Matcha.Recommendations.Model;

/// <summary>Matcha's scale: half stars from 0.5 to 5.0.</summary>
public static class RatingScale
{
    public const float Min = 0.5f;
    public const float Max = 5.0f;

    public static float Clip(float score) => Math.Clamp(score, Min, Max);

    /// <summary>The nearest half star, as shown to the user (3.74 → 3.5, 3.75 → 4.0).</summary>
    public static float ToHalfStars(float score) =>
        Clip(MathF.Round(score * 2f, MidpointRounding.AwayFromZero) / 2f);
}
