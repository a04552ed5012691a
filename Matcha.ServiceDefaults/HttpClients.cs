using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Matcha.ServiceDefaults;

public static class HttpClients
{
    /// <summary>
    /// Every HttpClient made through IHttpClientFactory resolves service names
    /// (<c>http://catalog</c>) through Aspire service discovery and runs the standard
    /// resilience pipeline: rate limiter, total timeout, retries, circuit breaker,
    /// attempt timeout.
    /// </summary>
    public static TBuilder AddResilientHttpClients<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }
}
