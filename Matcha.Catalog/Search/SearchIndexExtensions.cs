using Matcha.Catalog.Data;

namespace Matcha.Catalog.Search;

internal static class SearchIndexExtensions
{
    /// <summary>The in-memory search index, its background build and catch-up, and the notice of this process's own writes.</summary>
    public static IHostApplicationBuilder AddSearchIndex(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SearchIndexOptions>()
            .BindConfiguration(SearchIndexOptions.Section)
            .Validate(o => o.IsValid(), $"{SearchIndexOptions.Section}: the intervals, the page and the time changes are kept must be positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<SearchIndex>();
        builder.Services.AddSingleton<SearchIndexWrites>();
        builder.Services.AddSingleton<SearchIndexSync>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SearchIndexSync>());
        builder.Services.ConfigureDbContext<CatalogDbContext>((services, options) =>
            options.AddInterceptors(new SearchIndexWriteInterceptor(services.GetRequiredService<SearchIndexWrites>())));
        return builder;
    }
}
