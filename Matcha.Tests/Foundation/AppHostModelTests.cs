using Matcha.AppHost.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Matcha.Tests.Foundation;

/// <summary>What the AppHost declares, read from the running application model.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class AppHostModelTests(MatchaAppFixture fixture)
{
    private DistributedApplicationModel Model => fixture.App.Services.GetRequiredService<DistributedApplicationModel>();

    [Fact]
    public void TheGatewayIsTheOnlyEndpointMeantForTheBrowser()
    {
        var external = Model.Resources
            .Where(r => r.Annotations.OfType<EndpointAnnotation>().Any(e => e.IsExternal))
            .Select(r => r.Name);

        Assert.Equal(["gateway"], external);
    }

    [Fact]
    public void TheGatewayWaitsForRedisOnlySoItStartsBesideTheServices()
    {
        var gateway = Model.Resources.OfType<ProjectResource>().Single(p => p.Name == "gateway");

        var waitsFor = gateway.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name).Distinct();

        Assert.Equal(["redis"], waitsFor);
    }

    [Fact]
    public void EveryResourceReportsItsHealthToTheDashboard()
    {
        var withoutHealth = Model.Resources
            .Where(r => r is ProjectResource or ExecutableResource or ContainerResource or IResourceWithParent)
            .Where(r => !r.Annotations.OfType<HealthCheckAnnotation>().Any())
            .Where(r => !r.Name.EndsWith("-rebuilder", StringComparison.Ordinal))   // Aspire's hidden build helpers
            .Select(r => r.Name);

        Assert.Empty(withoutHealth);
    }

    [Theory]
    [InlineData("catalog", "catalogdb")]
    [InlineData("ratings", "ratingsdb")]
    [InlineData("accounts", "accountsdb")]
    [InlineData("social", "socialdb")]
    public void EachServiceIsGivenOnlyItsOwnDatabaseAndRedis(string service, string database)
    {
        var project = Model.Resources.OfType<ProjectResource>().Single(p => p.Name == service);

        var connectionStrings = project.Annotations.OfType<ResourceRelationshipAnnotation>()
            .Where(r => r.Type == "Reference" && r.Resource is IResourceWithConnectionString)
            .Select(r => r.Resource.Name)
            .Order();

        Assert.Equal(new[] { database, "redis" }.Order(), connectionStrings);
    }

    [Fact]
    public async Task LocalProcessesGetConnectionStringsShapedLikeTheContainers()
    {
        var postgres = await fixture.ConnectionStringAsync("catalogdb");
        var redis = await fixture.ConnectionStringAsync("redis");

        Assert.Matches(@"^Host=[^;]+;Port=\d+;Username=postgres;Password=[^;]+;Database=catalogdb$", postgres);
        Assert.Matches(@"^[^:,]+:\d+,password=[^,]+$", redis);
    }

    [Theory]
    [InlineData("catalog", "Matcha.Catalog")]
    [InlineData("ratings", "Matcha.Ratings")]
    [InlineData("accounts", "Matcha.Accounts")]
    [InlineData("social", "Matcha.Social")]
    [InlineData("gateway", "Matcha.Gateway")]
    public void EachServiceRunsItsBuiltExecutableWithoutDotnetRun(string service, string project)
    {
        // What `ps` shows an operator: the service's own executable from its build output, not
        // `dotnet run`, whose project evaluation cost a second of CPU per service at every start.
        Assert.True(fixture.App.ResourceNotifications.TryGetCurrentState(service, out var state), $"{service} has no state");
        var pid = state.Snapshot.Properties.Single(p => p.Name == "executable.pid").Value?.ToString();
        var command = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0')[0];

        Assert.EndsWith(Path.Combine(project, "bin", BuildConfiguration, "net10.0", project), command, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("catalog")]
    [InlineData("ratings")]
    [InlineData("accounts")]
    [InlineData("social")]
    public void TheGatewayReachesEachServiceOnTheServicesOwnPortWithoutAspiresProxy(string service)
    {
        // What an operator compares: the address the gateway was given for the service, and the one
        // the service's own process listens on. Behind Aspire's proxy they differ.
        var gatewayGiven = EnvironmentOf("gateway")[$"services__{service}__http__0"];
        var serviceListens = EnvironmentOf(service)["ASPNETCORE_URLS"].Split(';');

        Assert.Contains(gatewayGiven, serviceListens);
        // The gateway itself stays behind the proxy: the browser's address does not change from run to run.
        Assert.DoesNotContain(fixture.App.GetEndpoint("gateway", "http").GetLeftPart(UriPartial.Authority), EnvironmentOf("gateway")["ASPNETCORE_URLS"].Split(';'));
    }

    /// <summary>
    /// Nothing of a local run is a container, so its orchestrator (DCP) is named a container runtime that is not
    /// installed. With its default it started the docker client twice every 5 s to check on an engine this run does
    /// not use, about 0.1 s of CPU at once on two cores (docs/performance.md, "The orchestrator's docker checks").
    /// </summary>
    [Fact]
    public void ALocalRunHasNoContainerAndItsOrchestratorChecksNoInstalledContainerRuntime()
    {
        Assert.DoesNotContain(Model.Resources, r => r.IsContainer());

        // What `ps` shows: the orchestrator started for this test host (the AppHost runs in it) and its arguments.
        var orchestrators = Directory.GetDirectories("/proc")
            .Select(d => Path.Combine(d, "cmdline"))
            .Select(f => { try { return File.ReadAllText(f).Split('\0'); } catch (IOException) { return []; } })
            .Where(a => a.Length > 1 && Path.GetFileName(a[0]) == "dcp" && a[1] == "start-apiserver")
            .Where(a => a.SkipWhile(x => x != "--monitor").Skip(1).FirstOrDefault() == $"{Environment.ProcessId}")
            .ToList();
        Assert.NotEmpty(orchestrators);

        var expected = ContainerRuntime.NotInstalled(LocalBinaries.FindOnPath);
        foreach (var arguments in orchestrators)
        {
            var runtime = arguments.SkipWhile(x => x != "--container-runtime").Skip(1).FirstOrDefault();
            Assert.Equal(expected, runtime);
            if (runtime is not null)
            {
                Assert.Null(LocalBinaries.FindOnPath(runtime));
            }
        }
    }

    private Dictionary<string, string> EnvironmentOf(string resource)
    {
        Assert.True(fixture.App.ResourceNotifications.TryGetCurrentState(resource, out var state), $"{resource} has no state");
        var pid = state.Snapshot.Properties.Single(p => p.Name == "executable.pid").Value?.ToString();
        return File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => v.Split('=', 2))
            .Where(v => v.Length == 2)
            .GroupBy(v => v[0])
            .ToDictionary(g => g.Key, g => g.Last()[1]);
    }

    private static string BuildConfiguration =>
        typeof(AppHostModelTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().Single().Configuration;
}
