namespace Matcha.Recommendations.Model;

/// <summary>
/// A user re-fitted against fixed item parameters: their bias and the factor vector that is
/// dotted with an item's factors (for SVD++ it already includes the implicit-feedback term).
/// </summary>
public sealed record FoldedUser(float Bias, float[] Factors);
