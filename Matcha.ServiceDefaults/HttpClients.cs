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

    /// <summary>
    /// Removes the standard resilience handler that <see cref="AddResilientHttpClients"/> puts on every client, so a
    /// client can have a pipeline of its own instead of two stacked, or none. This is the documented way
    /// (RemoveAllResilienceHandlers), still marked experimental in Microsoft.Extensions.Http.Resilience.
    /// </summary>
    public static IHttpClientBuilder ReplaceDefaultResilience(this IHttpClientBuilder builder)
    {
#pragma warning disable EXTEXP0001
        return builder.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }
}
