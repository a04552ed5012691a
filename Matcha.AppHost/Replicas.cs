using Microsoft.Extensions.Configuration;

namespace Matcha.AppHost;

/// <summary>
/// <c>./eng/run.sh --replicas N</c> (<c>Matcha:Replicas=N</c>, 1 by default): N processes of a
/// service, behind the one address Aspire's proxy gives each endpoint (it spreads connections
/// over the replicas), so a reference to the service, or the browser's gateway URL, stays the
/// same. Nothing in a service keeps state a replica must share (docs/scaling.md, "Replicas").
/// </summary>
internal static class Replicas
{
    public const string Setting = "Matcha:Replicas";

    public static IResourceBuilder<ProjectResource> WithMatchaReplicas(this IResourceBuilder<ProjectResource> service)
    {
        var replicas = service.ApplicationBuilder.Configuration.GetValue(Setting, 1);
        if (replicas < 1)
        {
            throw new InvalidOperationException($"{Setting} is the number of processes of each service: 1 or more, not {replicas}.");
        }
        // One process is the AppHost's default: no annotation, so the publish manifest stays as it was.
        return replicas == 1 ? service : service.WithReplicas(replicas);
    }
}
