namespace Matcha.Recommendations.Model;

/// <summary>The day a rating was given, as the models count days: whole days since 1970-01-01, UTC.</summary>
public static class RatingDays
{
    private const long SecondsPerDay = 86_400;

    public static int Of(DateTimeOffset moment) => FromUnixSeconds(moment.ToUnixTimeSeconds());

    public static int FromUnixSeconds(long seconds) => (int)Math.Floor(seconds / (double)SecondsPerDay);
}
