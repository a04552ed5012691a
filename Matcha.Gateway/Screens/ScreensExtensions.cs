namespace Matcha.Gateway.Screens;

internal static class ScreensExtensions
{
    /// <summary>The screens' per-service clients, the reader that calls services as the caller, and the typed clients over it.</summary>
    public static IHostApplicationBuilder AddScreens(this IHostApplicationBuilder builder)
    {
        builder.AddScreenClients();
        builder.Services.AddSingleton<ServiceReader>();
        builder.Services.AddSingleton<CatalogClient>();
        builder.Services.AddSingleton<RatingsClient>();
        return builder;
    }
}
