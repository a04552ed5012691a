using System.Diagnostics;

namespace Matcha.Ratings;

/// <summary>Ratings' own spans (ServiceDefaults exports the source named after the application).</summary>
internal static class RatingsTelemetry
{
    public static readonly ActivitySource Source = new("Matcha.Ratings");
}
