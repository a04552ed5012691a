namespace Matcha.Gateway.Screens;

internal static class ScreensExtensions
{
    /// <summary>The screens' per-service clients and the reader that calls services as the caller.</summary>
    public static IHostApplicationBuilder AddScreens(this IHostApplicationBuilder builder)
    {
        builder.AddScreenClients();
        builder.Services.AddSingleton<ServiceReader>();
        return builder;
    }
}
