using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Matcha.ServiceDefaults;

/// <summary>
/// The defaults every Matcha process shares: the clock, telemetry, health, service discovery,
/// resilient HttpClients and RFC 7807 errors. Each concern lives in its own file.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddSystemClock();
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.AddResilientHttpClients();
        builder.AddDefaultProblemDetails();
        builder.AddDefaultOpenApi();
        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseDefaultProblemDetails();
        app.UseInternalIdentity();
        app.MapHealthEndpoints();
        app.MapDefaultOpenApi();
        return app;
    }
}
