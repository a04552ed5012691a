namespace Matcha.Catalog.Cards;

/// <summary>
/// gRPC beside REST on the same Kestrel: the AppHost gives Catalog a second endpoint, <c>grpc</c>,
/// that speaks HTTP/2 only (cleartext HTTP/2 needs prior knowledge, so it cannot share the
/// HTTP/1.1 port). The gRPC health service reports the same checks as <c>/health</c>.
/// </summary>
internal static class CardsGrpc
{
    public static IHostApplicationBuilder AddCardsGrpc(this IHostApplicationBuilder builder)
    {
        builder.Services.AddGrpc(options => options.MaxReceiveMessageSize = 64 * 1024);
        builder.Services.AddGrpcHealthChecks();
        return builder;
    }

    public static IEndpointRouteBuilder MapCardsGrpc(this IEndpointRouteBuilder app)
    {
        app.MapGrpcService<CatalogCardsService>();
        app.MapGrpcHealthChecksService().AllowAnonymous();
        return app;
    }
}
