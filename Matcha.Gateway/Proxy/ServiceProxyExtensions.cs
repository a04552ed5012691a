namespace Matcha.Gateway.Proxy;

internal static class ServiceProxyExtensions
{
    /// <summary>
    /// YARP forwards <c>/api/{service}/**</c> to each service, with routes and clusters in
    /// the <c>ReverseProxy</c> section of appsettings.json. Destinations are service names
    /// (<c>http://catalog</c>) that Aspire service discovery resolves.
    /// </summary>
    public static IHostApplicationBuilder AddServiceProxy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver();
        return builder;
    }

    public static WebApplication MapServiceProxy(this WebApplication app)
    {
        app.MapReverseProxy();
        return app;
    }
}
