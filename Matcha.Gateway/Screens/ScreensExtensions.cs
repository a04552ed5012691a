namespace Matcha.Gateway.Screens;

internal static class ScreensExtensions
{
    /// <summary>The screens' per-service clients, the reader that calls services as the caller, the typed clients over it, and the home screen's shared public lists.</summary>
    public static IHostApplicationBuilder AddScreens(this IHostApplicationBuilder builder)
    {
        builder.AddScreenClients();
        builder.Services.AddOptions<ScreenTimingOptions>().BindConfiguration(ScreenTimingOptions.Section);
        builder.Services.AddSingleton<ServiceReader>();
        builder.Services.AddSingleton<CatalogClient>();
        builder.Services.AddGrpcCardsClient();
        builder.Services.AddSingleton<CatalogCardsReader>();
        builder.Services.AddSingleton<RatingsClient>();
        builder.Services.AddOptions<HomeListsOptions>().BindConfiguration(HomeListsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<HomeLists>();
        builder.Services.AddHostedService(services => services.GetRequiredService<HomeLists>());
        return builder;
    }

    /// <summary>Catalog's cards over gRPC, at its HTTP/2-only endpoint "grpc" (service discovery's _grpc.catalog), under the screens' pipeline for Catalog.</summary>
    public static IHttpClientBuilder AddGrpcCardsClient(this IServiceCollection services) =>
        services.AddGrpcClient<Matcha.Contracts.Catalog.V1.CatalogCards.CatalogCardsClient>(CatalogCardsReader.ClientName,
                grpc => grpc.Address = new Uri("http://_grpc.catalog"))
            .AddScreenResilience(CatalogCardsReader.Service);
}
