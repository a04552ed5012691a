using System.Diagnostics;

namespace Matcha.Catalog;

/// <summary>Catalog's own spans (ServiceDefaults exports the source named after the application).</summary>
internal static class CatalogTelemetry
{
    public static readonly ActivitySource Source = new("Matcha.Catalog");
}
