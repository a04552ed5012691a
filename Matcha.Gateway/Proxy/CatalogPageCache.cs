using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;

namespace Matcha.Gateway.Proxy;

public sealed class CatalogPageCacheOptions
{
    public const string Section = "Gateway:PageCache";

    /// <summary>
    /// How long the gateway answers a film's or a person's page from its own memory; 0 turns it off.
    /// The page behind it may have changed in that time (a new rating counted), so this is the bound
    /// on how late a reader through the gateway sees it; a catalogue write through this gateway shows at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Gateway:PageCache:Lifetime must be between 0 and 60 seconds.")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The memory all kept pages may take together; the least recently used go first.</summary>
    [Range(1, 1024)]
    public int MaxMegabytes { get; set; } = 32;
}

/// <summary>
/// The public pages of the catalogue — a film's and a person's, the reads every visitor repeats — are
/// answered by the gateway itself for a second (<see cref="CatalogPageCacheOptions.Lifetime"/>), with
/// ASP.NET Core's output cache on the YARP routes that name the policy (<c>"OutputCachePolicy":
/// "catalog-pages"</c>). Forwarding cost more than Catalog's own cached read (docs/performance.md,
/// "The gateway's page cache"): a page asked again within the second does not cross to Catalog at all.
/// <list type="bullet">
/// <item>Every check still runs first: authentication, a deleted account's writes, the rate limit and
/// the route's authorization sit before the cache in the pipeline (Program.cs).</item>
/// <item>The page is the same for every caller (Catalog's answer does not depend on who asks), but the
/// gateway's own headers do: signed-in callers get <c>private, no-store</c>. So signed-in and anonymous
/// callers each have their own copy, keyed by path and query.</item>
/// <item>Only a 200 without cookies is kept; a burst of misses for one page goes to Catalog once.</item>
/// <item>A catalogue write through the gateway (any successful non-GET under <c>/api/catalog</c>) drops
/// every kept page before its answer reaches the writer, so an editor reads what they wrote. Changes
/// that reach Catalog by events (statistics) show within the lifetime.</item>
/// </list>
/// </summary>
internal static class CatalogPageCache
{
    public const string PolicyName = "catalog-pages";
    private const string Tag = "catalog-pages";

    public static IHostApplicationBuilder AddCatalogPageCache(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CatalogPageCacheOptions>()
            .BindConfiguration(CatalogPageCacheOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOutputCache();
        builder.Services.AddOptions<OutputCacheOptions>().Configure<IOptions<CatalogPageCacheOptions>>((output, pages) =>
        {
            output.SizeLimit = pages.Value.MaxMegabytes * 1024L * 1024;
            output.MaximumBodySize = 1024 * 1024;
            output.AddPolicy(PolicyName, new PagePolicy(pages.Value.Lifetime));
        });
        return builder;
    }

    /// <summary>After authorization, so a page is never answered to a caller the route would refuse.</summary>
    public static WebApplication UseCatalogPageCache(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (IsCatalogWrite(context.Request))
            {
                var store = context.RequestServices.GetRequiredService<IOutputCacheStore>();
                context.Response.OnStarting(async () =>
                {
                    if (context.Response.StatusCode is >= 200 and < 300)
                    {
                        await store.EvictByTagAsync(Tag, CancellationToken.None);   // the write is done, whether or not its writer still listens
                    }
                });
            }
            return next(context);
        });
        app.UseOutputCache();
        return app;
    }

    private static bool IsCatalogWrite(HttpRequest request) =>
        !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        && request.Path.StartsWithSegments("/api/catalog");

    private sealed class PagePolicy(TimeSpan lifetime) : IOutputCachePolicy
    {
        public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
        {
            var request = context.HttpContext.Request;
            var cacheable = lifetime > TimeSpan.Zero && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method));
            context.EnableOutputCaching = cacheable;
            context.AllowCacheLookup = cacheable;
            context.AllowCacheStorage = cacheable;
            context.AllowLocking = true;
            context.ResponseExpirationTimeSpan = lifetime;
            context.CacheVaryByRules.QueryKeys = "*";
            context.CacheVaryByRules.VaryByValues["signed-in"] = context.HttpContext.User.Identity?.IsAuthenticated == true ? "yes" : "no";
            context.Tags.Add(Tag);
            return ValueTask.CompletedTask;
        }

        public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

        public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
        {
            var response = context.HttpContext.Response;
            if (response.StatusCode != StatusCodes.Status200OK || response.Headers.SetCookie.Count > 0)
            {
                context.AllowCacheStorage = false;
            }
            return ValueTask.CompletedTask;
        }
    }
}
