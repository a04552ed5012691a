namespace Matcha.Gateway.Proxy;

internal static class ServiceProxyExtensions
{
    /// <summary>
    /// YARP forwards <c>/api/{service}/**</c> to each service, with routes and clusters in
    /// the <c>ReverseProxy</c> section of appsettings.json. Destinations are service names
    /// (<c>http://catalog</c>) that Aspire service discovery resolves. Every route carries the
    /// identity transform; a route is public only if it says <c>"AuthorizationPolicy": "anonymous"</c>.
    /// </summary>
    public static IHostApplicationBuilder AddServiceProxy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<InternalTokenOptions>()
            .BindConfiguration(InternalTokenOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => CanImport(o.SigningKey), "Gateway:InternalIdentity:SigningKey must be a base64 PKCS#8 P-256 private key.")
            .ValidateOnStart();
        builder.Services.AddSingleton<InternalTokenMinter>();

        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver()
            .AddTransforms(IdentityHeaders.AddIdentityTransform);
        return builder;
    }

    /// <summary>The proxied routes; like every endpoint, they sit behind the pipeline Program.cs installs first.</summary>
    public static WebApplication MapServiceProxy(this WebApplication app)
    {
        app.MapReverseProxy();
        return app;
    }

    private static bool CanImport(string? base64)
    {
        try
        {
            using var ecdsa = System.Security.Cryptography.ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(Convert.FromBase64String(base64 ?? ""), out _);
            return ecdsa.KeySize == 256;
        }
        catch (Exception ex) when (ex is FormatException or System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }
}
