using Microsoft.Extensions.Configuration;

namespace Matcha.AppHost;

/// <summary>
/// A service that runs as one local process is reached on its own port, not through Aspire's proxy:
/// every request through the gateway crossed the proxy (dcp) a second time on its way to a service
/// (docs/performance.md, "The consumer at 200 writes/s"). The port is picked free at each start
/// rather than taken from the launch profile, so two Matchas (a test run and a benchmark) still
/// start side by side. Only the services behind the gateway: the gateway keeps its proxy and its
/// one stable address for the browser, and with <c>Matcha:Replicas</c> above 1 the proxy is what
/// spreads requests over the replicas. A published model is not touched.
/// </summary>
internal static class DirectEndpoints
{
    public static IResourceBuilder<ProjectResource> WithDirectEndpoints(this IResourceBuilder<ProjectResource> service)
    {
        if (!service.ApplicationBuilder.ExecutionContext.IsRunMode || service.ApplicationBuilder.Configuration.GetValue(Replicas.Setting, 1) > 1)
        {
            return service;
        }
        service.WithEndpointProxySupport(false);
        foreach (var endpoint in service.Resource.Annotations.OfType<EndpointAnnotation>())
        {
            endpoint.Port = null;
        }
        return service;
    }
}
