using System.Text.Json;
using Microsoft.Extensions.FileProviders;

namespace Matcha.Gateway.WebApp;

internal static class WebAppExtensions
{
    /// <summary>The web app's routes, declared once for the page (app.js reads it) and for the gateway.</summary>
    private const string RoutesFile = "js/routes.json";

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
        // Each route serves index.html and the page routes itself (history API).
        foreach (var route in ClientRoutes(app.Environment.WebRootFileProvider))
        {
            app.MapFallbackToFile(route, "index.html", new StaticFileOptions { OnPrepareResponse = file => AddPageHeaders(file.Context.Response) })
                .AllowAnonymous();
        }
        return app;
    }

    private static IReadOnlyList<string> ClientRoutes(IFileProvider webRoot)
    {
        var file = webRoot.GetFileInfo(RoutesFile);
        if (!file.Exists)
        {
            throw new InvalidOperationException($"The web app's route list wwwroot/{RoutesFile} is missing.");
        }
        using var routes = file.CreateReadStream();
        return [.. JsonSerializer.Deserialize<Dictionary<string, string>>(routes)!.Keys];
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
