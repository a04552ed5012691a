using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using k8s;
using k8s.Models;
using Matcha.K8s;

namespace Matcha.Tests.K8s;

/// <summary>
/// deploy/k8s, as an operator would apply it: rendered by <c>kubectl kustomize</c> (no cluster),
/// every object read strictly into the Kubernetes models, and every name one object gives another
/// found there. And the committed files are what the AppHost and the generator make now.
/// </summary>
public sealed partial class ManifestsTests
{
    private static readonly string Repository = FindRepository();
    private static readonly string Deploy = Path.Combine(Repository, "deploy", "k8s");

    [Fact]
    public async Task The_committed_manifests_are_what_the_AppHost_generates_now()
    {
        var manifest = await PublishAppHostManifestAsync();
        var generated = KubernetesManifests.Generate(AspireManifest.Parse(manifest));

        foreach (var (path, text) in generated)
        {
            var file = Path.Combine(Deploy, path);
            Assert.True(File.Exists(file), $"deploy/k8s/{path} is generated but not committed: run ./eng/publish-k8s.sh");
            Assert.True(text == await File.ReadAllTextAsync(file), $"deploy/k8s/{path} differs from what the AppHost generates now: run ./eng/publish-k8s.sh");
        }
        var committed = Directory.EnumerateFiles(Deploy, "*", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(Deploy, file).Replace('\\', '/'))
            .Where(path => path != $"base/{KubernetesManifests.SecretsFile}");   // the operator's, git-ignored
        Assert.Empty(committed.Except(generated.Keys));
    }

    [Theory]
    [InlineData("base")]
    [InlineData("overlays/local")]
    [InlineData("overlays/external")]
    public async Task Every_rendered_object_parses_strictly(string kustomization)
    {
        var objects = await RenderAsync(kustomization);

        Assert.Contains(objects, o => o is V1Deployment { Metadata.Name: "gateway" });
        Assert.All(objects, o => Assert.NotNull(o.Kind));
    }

    [Fact]
    public void An_unknown_field_fails_the_strict_reading()
    {
        const string Misspelt = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: catalog
            spec:
              replica: 2
            """;

        Assert.ThrowsAny<YamlDotNet.Core.YamlException>(() => KubernetesYaml.LoadAllFromString(Misspelt, strict: true));
        Assert.Single(KubernetesYaml.LoadAllFromString(Misspelt.Replace("replica:", "replicas:", StringComparison.Ordinal), strict: true));
    }

    [Fact]
    public async Task The_base_holds_every_service_with_replicas_probes_limits_autoscaler_and_disruption_budget()
    {
        var objects = await RenderAsync("base");
        var deployments = objects.OfType<V1Deployment>().ToList();

        Assert.Equal(["accounts", "catalog", "gateway", "ratings", "social"], deployments.Select(d => d.Metadata.Name).Order());
        foreach (var deployment in deployments)
        {
            var name = deployment.Metadata.Name;
            Assert.True(deployment.Spec.Replicas >= 2, $"{name}: one replica is down during every rollout");
            var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
            Assert.Equal("/health", container.ReadinessProbe?.HttpGet?.Path);
            Assert.Equal("/alive", container.LivenessProbe?.HttpGet?.Path);
            Assert.NotNull(container.Resources?.Requests?["cpu"]);
            Assert.NotNull(container.Resources?.Limits?["memory"]);
            Assert.Contains(objects.OfType<V2HorizontalPodAutoscaler>(), h => h.Spec.ScaleTargetRef is { Kind: "Deployment" } target && target.Name == name);
            Assert.Contains(objects.OfType<V1PodDisruptionBudget>(), p => Selects(p.Spec.Selector, deployment.Spec.Template.Metadata.Labels));
        }
        var jobs = objects.OfType<V1Job>().Select(j => j.Metadata.Name).Order();
        Assert.Equal(["accounts-migrations", "catalog-migrations", "ratings-migrations", "social-migrations"], jobs);
        Assert.All(objects.OfType<V1Job>(), job => Assert.Contains(
            job.Spec.Template.Spec.Containers[0].Env, e => e is { Name: "Database__MigrateOnly", Value: "true" }));
    }

    [Theory]
    [InlineData("base")]
    [InlineData("overlays/local")]
    [InlineData("overlays/external")]
    public async Task Every_secret_config_map_and_variable_a_container_reads_exists(string kustomization)
    {
        var objects = await RenderAsync(kustomization);
        var secrets = objects.OfType<V1Secret>().ToDictionary(s => s.Metadata.Name, s => s.Data?.Keys.ToHashSet() ?? []);
        var configMaps = objects.OfType<V1ConfigMap>().ToDictionary(c => c.Metadata.Name, c => c.Data?.Keys.ToHashSet() ?? []);

        foreach (var (owner, container) in Containers(objects))
        {
            var defined = new HashSet<string>();
            foreach (var variable in container.Env ?? [])
            {
                if (variable.ValueFrom?.SecretKeyRef is { } secret)
                {
                    Assert.True(secrets.TryGetValue(secret.Name, out var keys) && keys.Contains(secret.Key), $"{owner}: {variable.Name} reads secret {secret.Name}/{secret.Key}, which is not rendered");
                }
                if (variable.ValueFrom?.ConfigMapKeyRef is { } configMap)
                {
                    Assert.True(configMaps.TryGetValue(configMap.Name, out var keys) && keys.Contains(configMap.Key), $"{owner}: {variable.Name} reads config map {configMap.Name}/{configMap.Key}, which is not rendered");
                }
                // $(NAME) expands only a variable defined earlier in the same container.
                foreach (Match reference in VariableReference().Matches(variable.Value ?? ""))
                {
                    Assert.True(defined.Contains(reference.Groups[1].Value), $"{owner}: {variable.Name} expands $({reference.Groups[1].Value}), not defined before it");
                }
                defined.Add(variable.Name);
            }
        }
    }

    [Theory]
    [InlineData("overlays/local")]
    [InlineData("overlays/external")]
    public async Task Every_host_and_port_in_a_connection_string_or_service_address_is_a_rendered_service(string kustomization)
    {
        var objects = await RenderAsync(kustomization);
        var services = objects.OfType<V1Service>().ToDictionary(s => s.Metadata.Name, s => s.Spec.Ports.Select(p => p.Port).ToHashSet());
        var checkedAny = false;

        foreach (var (owner, container) in Containers(objects))
        {
            foreach (var variable in container.Env ?? [])
            {
                if (variable.Value is null)
                {
                    continue;
                }
                (string Host, int Port)? target = variable.Name switch
                {
                    var n when n.StartsWith("ConnectionStrings__", StringComparison.Ordinal) && HostAndPort().Match(variable.Value) is { Success: true } m
                        => (m.Groups["host"].Value, int.Parse(m.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture)),
                    var n when n.StartsWith("ConnectionStrings__", StringComparison.Ordinal) && RedisAddress().Match(variable.Value) is { Success: true } m
                        => (m.Groups["host"].Value, int.Parse(m.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture)),
                    var n when n.StartsWith("services__", StringComparison.Ordinal) => (new Uri(variable.Value).Host, new Uri(variable.Value).Port),
                    _ => null,
                };
                if (target is null)
                {
                    Assert.False(variable.Name.StartsWith("ConnectionStrings__", StringComparison.Ordinal), $"{owner}: {variable.Name} names no host and port the test can read");
                    continue;
                }
                checkedAny = true;
                var (host, port) = target.Value;
                Assert.True(services.TryGetValue(host, out var ports), $"{owner}: {variable.Name} names host {host}, which no Service is called");
                Assert.True(ports.Contains(port), $"{owner}: {variable.Name} names {host}:{port}, a port Service {host} does not have");
            }
        }
        Assert.True(checkedAny);
    }

    [Theory]
    [InlineData("overlays/local")]
    [InlineData("overlays/external")]
    public async Task Every_selector_finds_its_pods_and_every_port_name_its_container_port(string kustomization)
    {
        var objects = await RenderAsync(kustomization);
        var pods = PodTemplates(objects).ToList();

        foreach (var deployment in objects.OfType<V1Deployment>())
        {
            Assert.True(Selects(deployment.Spec.Selector, deployment.Spec.Template.Metadata.Labels), $"Deployment {deployment.Metadata.Name} does not select its own pods");
        }
        foreach (var set in objects.OfType<V1StatefulSet>())
        {
            Assert.True(Selects(set.Spec.Selector, set.Spec.Template.Metadata.Labels), $"StatefulSet {set.Metadata.Name} does not select its own pods");
            Assert.Contains(objects.OfType<V1Service>(), s => s.Metadata.Name == set.Spec.ServiceName);
        }
        foreach (var service in objects.OfType<V1Service>().Where(s => s.Spec.Type != "ExternalName"))
        {
            var selected = pods.Where(p => p.Labels is not null && service.Spec.Selector.All(l => p.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToList();
            Assert.True(selected.Count > 0, $"Service {service.Metadata.Name} selects no pods");
            Assert.All(selected, pod => Assert.NotEqual("Job", pod.Owner));   // a finished Job's pod is no endpoint
            foreach (var port in service.Spec.Ports)
            {
                Assert.All(selected, pod => Assert.Contains(pod.Ports, p => p.Name == port.TargetPort.Value));
            }
        }
        foreach (var (owner, container) in Containers(objects))
        {
            foreach (var probe in new[] { container.ReadinessProbe, container.LivenessProbe, container.StartupProbe }.OfType<V1Probe>())
            {
                var port = probe.HttpGet?.Port ?? probe.TcpSocket?.Port;
                Assert.Contains(container.Ports ?? [], p => p.Name == port?.Value);
            }
        }
        foreach (var budget in objects.OfType<V1PodDisruptionBudget>())
        {
            Assert.Contains(pods, pod => Selects(budget.Spec.Selector, pod.Labels));
        }
        foreach (var autoscaler in objects.OfType<V2HorizontalPodAutoscaler>())
        {
            Assert.Contains(objects.OfType<V1Deployment>(), d => d.Metadata.Name == autoscaler.Spec.ScaleTargetRef.Name);
        }
        foreach (var ingress in objects.OfType<V1Ingress>())
        {
            var backend = ingress.Spec.Rules.Single().Http.Paths.Single().Backend.Service;
            Assert.Contains(objects.OfType<V1Service>(), s => s.Metadata.Name == backend.Name && s.Spec.Ports.Any(p => p.Name == backend.Port.Name));
        }
    }

    [Fact]
    public async Task Each_deployment_runs_the_image_and_ports_dotnet_publish_gives_its_service()
    {
        var objects = await RenderAsync("base");
        var shared = XDocument.Load(Path.Combine(Repository, "Directory.Build.targets"));

        foreach (var deployment in objects.OfType<V1Deployment>())
        {
            var name = deployment.Metadata.Name;
            var project = XDocument.Load(Path.Combine(Repository, $"Matcha.{char.ToUpperInvariant(name[0])}{name[1..]}", $"Matcha.{char.ToUpperInvariant(name[0])}{name[1..]}.csproj"));
            var repository = project.Descendants("ContainerRepository").Single().Value;
            var tag = shared.Descendants("ContainerImageTags").Single().Value;
            var ports = project.Descendants("ContainerPort").Concat(shared.Descendants("ContainerPort"))
                .Select(port => int.Parse(port.Attribute("Include")!.Value, System.Globalization.CultureInfo.InvariantCulture)).Order();
            var container = deployment.Spec.Template.Spec.Containers.Single();

            Assert.Equal($"{repository}:{tag}", container.Image);
            Assert.Equal(ports, container.Ports.Select(p => p.ContainerPort).Order());
            Assert.Equal(KubernetesManifests.AppUid, deployment.Spec.Template.Spec.SecurityContext.RunAsUser);
        }
    }

    [Fact]
    public async Task Network_policies_let_only_the_gateway_reach_the_services_and_only_the_services_reach_their_servers()
    {
        var objects = await RenderAsync("overlays/local");
        var pods = PodTemplates(objects).ToList();
        var policies = objects.OfType<V1NetworkPolicy>().ToList();

        Assert.Contains(policies, p => p.Spec.PodSelector.MatchLabels is null or { Count: 0 } && p.Spec.PolicyTypes.Contains("Ingress") && p.Spec.Ingress is null or { Count: 0 });
        // Who may open a connection to a pod: the union of the policies that select it (none: nobody).
        List<string>? AllowedClients(PodTemplate target)
        {
            var peers = policies.Where(p => p.Spec.PodSelector.MatchLabels is { Count: > 0 } && Selects(p.Spec.PodSelector, target.Labels))
                .SelectMany(p => p.Spec.Ingress ?? []).ToList();
            if (peers.Any(rule => rule.FromProperty is null))
            {
                return null;   // anyone
            }
            return [.. pods.Where(client => peers.SelectMany(rule => rule.FromProperty).Any(peer => Selects(peer.PodSelector, client.Labels)))
                .Select(client => client.Name).Distinct().Order()];
        }
        string[] services = ["accounts", "catalog", "ratings", "social"];

        Assert.Null(AllowedClients(pods.Single(p => p.Name == "gateway")));
        foreach (var service in services)
        {
            Assert.Equal(["gateway"], AllowedClients(pods.Single(p => p.Name == service)));
        }
        Assert.Equal([.. services.Select(s => $"{s}-migrations").Concat(services).Order()], AllowedClients(pods.Single(p => p.Name == "postgres")));
        // A migrations Job runs its service's host, which opens Redis too until it stops.
        Assert.Equal([.. services.Select(s => $"{s}-migrations").Concat(services).Append("gateway").Order()], AllowedClients(pods.Single(p => p.Name == "redis")));
        foreach (var policy in policies)
        {
            foreach (var port in (policy.Spec.Ingress ?? []).SelectMany(rule => rule.Ports ?? []))
            {
                Assert.All(pods.Where(p => Selects(policy.Spec.PodSelector, p.Labels)), pod => Assert.Contains(pod.Ports, p => p.Name == port.Port.Value));
            }
        }
    }

    private sealed record PodTemplate(string Name, string Owner, IDictionary<string, string> Labels, List<V1ContainerPort> Ports);

    private static IEnumerable<PodTemplate> PodTemplates(List<IKubernetesObject> objects)
    {
        foreach (var o in objects)
        {
            var (name, template) = o switch
            {
                V1Deployment d => (d.Metadata.Name, d.Spec.Template),
                V1StatefulSet s => (s.Metadata.Name, s.Spec.Template),
                V1Job j => (j.Metadata.Name, j.Spec.Template),
                _ => (null, null),
            };
            if (template is not null)
            {
                yield return new PodTemplate(name!, o.Kind, template.Metadata.Labels, [.. template.Spec.Containers.SelectMany(c => c.Ports ?? [])]);
            }
        }
    }

    private static IEnumerable<(string Owner, V1Container Container)> Containers(List<IKubernetesObject> objects) =>
        objects.SelectMany(o => o switch
        {
            V1Deployment d => d.Spec.Template.Spec.Containers.Select(c => ($"Deployment {d.Metadata.Name}", c)),
            V1StatefulSet s => s.Spec.Template.Spec.Containers.Select(c => ($"StatefulSet {s.Metadata.Name}", c)),
            V1Job j => j.Spec.Template.Spec.Containers.Select(c => ($"Job {j.Metadata.Name}", c)),
            _ => [],
        });

    private static bool Selects(V1LabelSelector selector, IDictionary<string, string>? labels) =>
        selector.MatchExpressions is null or { Count: 0 }
        && labels is not null
        && (selector.MatchLabels ?? new Dictionary<string, string>()).All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value);

    /// <summary>
    /// <c>kubectl kustomize</c> of a copy of deploy/k8s with a filled-in secrets.env (the operator's
    /// file, never committed), read strictly: a field the models do not know fails.
    /// </summary>
    private static async Task<List<IKubernetesObject>> RenderAsync(string kustomization)
    {
        var copy = Directory.CreateTempSubdirectory("matcha-k8s-");
        try
        {
            foreach (var file in Directory.EnumerateFiles(Deploy, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(copy.FullName, Path.GetRelativePath(Deploy, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
            var example = await File.ReadAllLinesAsync(Path.Combine(copy.FullName, "base", $"{KubernetesManifests.SecretsFile}.example"));
            await File.WriteAllLinesAsync(Path.Combine(copy.FullName, "base", KubernetesManifests.SecretsFile),
                example.Where(line => line.EndsWith('=')).Select(line => $"{line}value-of-{line.TrimEnd('=')}"));

            var (exitCode, yaml, errors) = await RunAsync("kubectl", ["kustomize", Path.Combine(copy.FullName, kustomization)], Repository);
            Assert.True(exitCode == 0, $"kubectl kustomize {kustomization} failed: {errors}");
            return [.. KubernetesYaml.LoadAllFromString(yaml, strict: true).Cast<IKubernetesObject>()];
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    /// <summary>The AppHost's publish manifest, as ./eng/publish-k8s.sh makes it (its build is the test's own).</summary>
    private static async Task<string> PublishAppHostManifestAsync()
    {
        // The AppHost's own build, of the test's configuration: …/Matcha.Tests/bin/<Configuration>/<tfm>/.
        var tests = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var appHost = Path.Combine(Repository, "Matcha.AppHost", "bin", tests.Parent!.Name, tests.Name, "Matcha.AppHost.dll");
        Assert.True(File.Exists(appHost), $"{appHost} is not built");
        var output = Path.Combine(Path.GetTempPath(), $"matcha-manifest-{Guid.NewGuid():N}.json");
        try
        {
            var (exitCode, stdout, errors) = await RunAsync("dotnet",
                [appHost, "--publisher", "manifest", "--output-path", output, "--Matcha:Infrastructure:Mode=Containers"],
                Path.Combine(Repository, "Matcha.AppHost"));
            Assert.True(exitCode == 0, $"The AppHost's manifest failed: {stdout}{errors}");
            return await File.ReadAllTextAsync(output);
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string program, string[] arguments, string directory)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }

    private static string FindRepository()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Matcha.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Matcha.sln not found above the test binaries.");
    }

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"Host=(?<host>[^;]+);Port=(?<port>\d+)")]
    private static partial Regex HostAndPort();

    [GeneratedRegex(@"^(?<host>[a-z0-9\-]+):(?<port>\d+),")]
    private static partial Regex RedisAddress();
}
