namespace Matcha.Recommendations.Model;

/// <summary>
/// A user fitted by <see cref="BayesianModel.FitUser"/>: their bias and factors, averaged over the
/// samples, and their shift on each day they rated. <see cref="On"/> gives the user as predicted on
/// one day, which differs from another day's only in the shift.
/// </summary>
/// <param name="UnratedDayShift">the shift of a day they did not rate on: the prior's mean</param>
/// <param name="RatingCount">the ratings it rests on (of films the model knows)</param>
public sealed record UserFit(float Bias, float[] Factors, IReadOnlyDictionary<int, float> DayShifts, float UnratedDayShift, int RatingCount)
{

    /// <summary>The user on <paramref name="day"/>: with that day's shift when they rated on it, otherwise the prior's (none without days).</summary>
    public FoldedUser On(int? day) =>
        new(Bias + (day is { } d && DayShifts.TryGetValue(d, out var shift) ? shift : DayShifts.Count > 0 ? UnratedDayShift : 0f), Factors);
}
