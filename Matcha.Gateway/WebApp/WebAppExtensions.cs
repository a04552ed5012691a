namespace Matcha.Gateway.WebApp;

internal static class WebAppExtensions
{
    /// <summary>The web app's screens; each serves index.html and the page routes itself (history API).</summary>
    private static readonly string[] ClientRoutes =
        ["/", "/search", "/movies/{id:int}", "/people/{id:int}", "/me", "/signin", "/signup"];

    /// <summary>
    /// The web app is static files in wwwroot, public and served before authentication; its
    /// client-side routes are listed, so an unknown <c>/api/…</c> path is never answered with the page.
    /// </summary>
    public static WebApplication UseWebApp(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions { OnPrepareResponse = file => AddPageHeaders(file.Context.Response) });
        return app;
    }

    public static WebApplication MapWebAppRoutes(this WebApplication app)
    {
        foreach (var route in ClientRoutes)
        {
            app.MapFallbackToFile(route, "index.html", new StaticFileOptions { OnPrepareResponse = file => AddPageHeaders(file.Context.Response) })
                .AllowAnonymous();
        }
        return app;
    }

    private static void AddPageHeaders(HttpResponse response)
    {
        // Scripts only from the gateway itself; posters may come from any https image host.
        response.Headers.ContentSecurityPolicy =
            "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "same-origin";
        response.Headers.CacheControl = "no-cache";
    }
}
