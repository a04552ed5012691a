using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Matcha.Catalog.Cards;

/// <summary>
/// gRPC beside REST on the same Kestrel: the AppHost gives Catalog a second port, <c>grpc</c>, and
/// names it in <c>Grpc:Port</c>; that port speaks HTTP/2 only (cleartext HTTP/2 needs prior
/// knowledge, so it cannot share the HTTP/1.1 port the REST API answers on). The gRPC health
/// service reports the same checks as <c>/health</c>.
/// </summary>
internal static class CardsGrpc
{
    public static IHostApplicationBuilder AddCardsGrpc(this IHostApplicationBuilder builder)
    {
        builder.Services.AddGrpc(options => options.MaxReceiveMessageSize = 64 * 1024);
        builder.Services.AddGrpcHealthChecks();
        if (builder.Configuration.GetValue<int?>("Grpc:Port") is { } port)
        {
            builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.ConfigureEndpointDefaults(listen =>
            {
                if (listen.IPEndPoint?.Port == port)
                {
                    listen.Protocols = HttpProtocols.Http2;
                }
            }));
        }
        return builder;
    }

    public static IEndpointRouteBuilder MapCardsGrpc(this IEndpointRouteBuilder app)
    {
        app.MapGrpcService<CatalogCardsService>();
        app.MapGrpcHealthChecksService().AllowAnonymous();
        return app;
    }
}
