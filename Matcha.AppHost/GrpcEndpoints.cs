using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Matcha.AppHost;

internal static class GrpcEndpoints
{
    public const string Name = "grpc";

    /// <summary>
    /// A second endpoint, <c>grpc</c>, on the same Kestrel: HTTP/2 only, since cleartext HTTP/2
    /// needs prior knowledge and so cannot share the HTTP/1.1 port the REST API answers on.
    /// Its health on the dashboard comes from the standard gRPC health service (grpc.health.v1)
    /// asked over that endpoint, beside the <c>/health</c> check of the HTTP endpoint.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithGrpcEndpoint(this IResourceBuilder<ProjectResource> service)
    {
        service.WithHttpEndpoint(name: Name).WithEndpoint(Name, endpoint => endpoint.Transport = "http2");
        var endpoint = service.GetEndpoint(Name);
        // Aspire hands a project its ports in ASPNETCORE_URLS, which cannot say a protocol: the
        // service is told which of them is the HTTP/2-only one (Matcha.Catalog's Cards/CardsGrpc.cs).
        service.WithEnvironment("Grpc__Port", endpoint.Property(EndpointProperty.TargetPort));
        var check = $"{service.Resource.Name}-grpc";
        service.ApplicationBuilder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration(check, _ => new GrpcHealthCheck(endpoint), failureStatus: null, tags: null));
        return service.WithHealthCheck(check);
    }

    private sealed class GrpcHealthCheck(EndpointReference endpoint) : IHealthCheck
    {
        private GrpcChannel? _channel;

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                _channel ??= GrpcChannel.ForAddress(endpoint.Url);
                var reply = await new Health.HealthClient(_channel).CheckAsync(
                    new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken);
                return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy($"gRPC health: {reply.Status}");
            }
            catch (Exception ex) when (ex is Grpc.Core.RpcException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy("gRPC health check failed.", ex);
            }
        }
    }
}
