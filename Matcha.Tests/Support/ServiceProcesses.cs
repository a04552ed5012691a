using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Matcha.Tests.Support;

/// <summary>Hard stops of the AppHost's own processes: SIGKILL (kill -9), no shutdown hooks, no flushing.</summary>
public static class ServiceProcesses
{
    private const string PidProperty = "executable.pid";

    public static async Task KillAsync(this MatchaAppFixture fixture, string resource)
    {
        using var timeout = new CancellationTokenSource(EventsDriver.Patience);
        var running = await fixture.WaitForAsync(resource,
            e => e.Snapshot.State?.Text == KnownResourceStates.Running && PidOf(e) is not null, timeout.Token);
        var pid = PidOf(running)!.Value;
        var victims = WithDescendants(pid);
        foreach (var process in victims)
        {
            try
            {
                using var victim = Process.GetProcessById(process);
                victim.Kill();   // SIGKILL on Linux
            }
            catch (ArgumentException)
            {
                // Already gone with its parent.
            }
        }
        await fixture.WaitForAsync(resource,
            e => e.Snapshot.State?.Text is not null && e.Snapshot.State.Text != KnownResourceStates.Running && e.Snapshot.State.Text != KnownResourceStates.Starting,
            timeout.Token);
        // Until every killed process is gone, a new one started at once may find its port still held.
        while (victims.Any(victim => Directory.Exists($"/proc/{victim}")))
        {
            await Task.Delay(200, timeout.Token);
        }
    }

    /// <summary>
    /// Freezes a resource's processes with SIGSTOP: its port still accepts connections, but
    /// nothing answers, as with a service that hangs. <see cref="ThawAsync"/> lets it run on.
    /// </summary>
    public static async Task<IReadOnlyList<int>> FreezeAsync(this MatchaAppFixture fixture, string resource)
    {
        using var timeout = new CancellationTokenSource(EventsDriver.Patience);
        var running = await fixture.WaitForAsync(resource,
            e => e.Snapshot.State?.Text == KnownResourceStates.Running && PidOf(e) is not null, timeout.Token);
        var frozen = WithDescendants(PidOf(running)!.Value);
        await SignalAsync("STOP", frozen);
        return frozen;
    }

    public static Task ThawAsync(IReadOnlyList<int> frozen) => SignalAsync("CONT", frozen);

    private static async Task SignalAsync(string signal, IEnumerable<int> pids)
    {
        using var kill = Process.Start("kill", [$"-{signal}", .. pids.Select(p => p.ToString(CultureInfo.InvariantCulture))])!;
        await kill.WaitForExitAsync();
    }

    /// <summary>
    /// Starts a stopped or killed resource and waits until it is healthy. The start command
    /// returns before the resource's state moves on, and a killed service can be left in
    /// "failed to start": waiting for health straight away can read that old state and give up
    /// at once. So this first waits for the new start to show (Starting or Running), then for
    /// health; a start that still does not come up is asked for again, at most three times.
    /// What the tests check is what the service does once it runs again.
    /// </summary>
    public static async Task StartAgainAsync(this MatchaAppFixture fixture, string resource)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        for (var attempt = 1; ; attempt++)
        {
            var started = await fixture.App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, timeout.Token);
            Assert.True(started.Success, started.Message);
            try
            {
                using var showing = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
                showing.CancelAfter(TimeSpan.FromSeconds(30));
                await fixture.WaitForAsync(resource,
                    e => e.Snapshot.State?.Text is { } state && (state == KnownResourceStates.Starting || state == KnownResourceStates.Running),
                    showing.Token);
                if (IsReplica(fixture, resource))
                {
                    await fixture.WaitForAsync(resource,
                        e => e.Snapshot.State?.Text == KnownResourceStates.Running && e.Snapshot.HealthStatus == HealthStatus.Healthy, timeout.Token);
                }
                else
                {
                    await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
                }
                if (resource == "redis")
                {
                    await fixture.WaitForRedisClientsAsync(timeout.Token);
                }
                return;
            }
            catch (Exception ex) when (attempt < 3 && !timeout.IsCancellationRequested
                && ex is DistributedApplicationException or OperationCanceledException)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), timeout.Token);
            }
        }
    }

    /// <summary>
    /// Redis is back once every service's client has connected again, which each does on its own within about a second
    /// (until then its commands fail at once: docs/running.md, "While Redis is down"), so a test that signs in straight
    /// after a Redis restart could meet a 503. A service's <c>/health</c> pings Redis through that client, so this asks
    /// each running service that uses Redis (a reference to it in the AppHost's model) until it answers 200 (one that is
    /// stopped connects when it starts). The gateway's health does not ping Redis, so it answers at once: its client only
    /// decides whether a write is checked against the deny set.
    /// </summary>
    private static async Task WaitForRedisClientsAsync(this MatchaAppFixture fixture, CancellationToken cancellationToken)
    {
        var model = fixture.App.Services.GetRequiredService<DistributedApplicationModel>();
        var running = model.Resources.OfType<ProjectResource>()
            .Where(project => project.Annotations.OfType<ResourceRelationshipAnnotation>().Any(r => r.Type == "Reference" && r.Resource.Name == "redis"))
            .Select(project => project.Name)
            .Where(service => fixture.App.ResourceNotifications.TryGetCurrentState(service, out var current)
                && current.Snapshot.State?.Text == KnownResourceStates.Running);
        foreach (var service in running)
        {
            using var client = fixture.App.CreateHttpClient(service, "http");
            while (!await AnswersHealthyAsync(client, cancellationToken))
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    private static async Task<bool> AnswersHealthyAsync(HttpClient service, CancellationToken cancellationToken)
    {
        try
        {
            using var health = await service.GetAsync("/health", cancellationToken);
            return health.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;   // restarting
        }
    }

    /// <summary>
    /// Stops Redis and starts it again; the tests run it without persistence, so it comes back
    /// empty.
    /// </summary>
    public static Task RestartRedisEmptyAsync(this MatchaAppFixture fixture) => fixture.RestartAsync("redis");

    /// <summary>
    /// A clean restart: stop, wait until the old process is gone, start, wait until healthy.
    /// (Aspire's restart command can race the old process for its port: the new one fails to
    /// bind and the resource ends "failed to start".)
    /// </summary>
    public static async Task RestartAsync(this MatchaAppFixture fixture, string resource)
    {
        await fixture.StopAsync(resource);
        await fixture.StartAgainAsync(resource);
    }

    /// <summary>A graceful stop that returns only once the old process is gone (and its port free for a later start).</summary>
    public static async Task StopAsync(this MatchaAppFixture fixture, string resource)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var running = await fixture.WaitForAsync(resource,
            e => e.Snapshot.State?.Text == KnownResourceStates.Running && PidOf(e) is not null, timeout.Token);
        var pid = PidOf(running)!.Value;
        var stopped = await fixture.App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand, timeout.Token);
        Assert.True(stopped.Success, stopped.Message);
        // The stop command returns before the old process has let go of its port.
        while (Directory.Exists($"/proc/{pid}"))
        {
            await Task.Delay(200, timeout.Token);
        }
    }

    /// <summary>
    /// The ids of a resource's replicas (<c>catalog-abcdwxyz</c>) once <paramref name="count"/> of
    /// them run healthy, in a stable order. Every method here takes such an id in place of a
    /// resource's name, to act on that one process; a resource's name alone is ambiguous when it
    /// has replicas.
    /// </summary>
    public static async Task<IReadOnlyList<string>> HealthyReplicasAsync(this MatchaAppFixture fixture, string resource, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var healthy = new Dictionary<string, bool>();
        await foreach (var e in fixture.App.ResourceNotifications.WatchAsync(timeout.Token))
        {
            if (e.Resource.Name == resource)
            {
                healthy[e.ResourceId] = e.Snapshot.State?.Text == KnownResourceStates.Running && e.Snapshot.HealthStatus == HealthStatus.Healthy;
                if (healthy.Count(h => h.Value) >= count)
                {
                    return [.. healthy.Where(h => h.Value).Select(h => h.Key).Order(StringComparer.Ordinal)];
                }
            }
        }
        throw new OperationCanceledException($"{resource}: fewer than {count} healthy replicas.");
    }

    /// <summary>The next state of a resource, named or one replica by its id, that <paramref name="predicate"/> accepts.</summary>
    private static async Task<ResourceEvent> WaitForAsync(
        this MatchaAppFixture fixture, string resource, Func<ResourceEvent, bool> predicate, CancellationToken cancellationToken)
    {
        await foreach (var e in fixture.App.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if ((e.Resource.Name == resource || e.ResourceId == resource) && predicate(e))
            {
                return e;
            }
        }
        throw new OperationCanceledException($"{resource}: no such state before the time ran out.");
    }

    private static bool IsReplica(MatchaAppFixture fixture, string resource) =>
        !fixture.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Any(r => r.Name == resource);

    private static int? PidOf(ResourceEvent resourceEvent) =>
        resourceEvent.Snapshot.Properties.FirstOrDefault(p => p.Name == PidProperty)?.Value is { } value
        && int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), out var pid)
            ? pid
            : null;

    /// <summary>The process and everything it started (a launcher may sit between DCP and the service).</summary>
    private static List<int> WithDescendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid))
            {
                try
                {
                    // /proc/<pid>/stat: "pid (comm) state ppid ...", comm may contain spaces.
                    var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                }
            }
        }
        var tree = new List<int> { root };
        for (var i = 0; i < tree.Count; i++)
        {
            tree.AddRange(parents.Where(p => p.Value == tree[i]).Select(p => p.Key));
        }
        return tree;
    }
}
