using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Matcha.AppHost.Infrastructure;

/// <summary>
/// A Redis Cluster of the machine's own <c>redis-server</c> processes, as one resource: its
/// connection string lists every node and StackExchange.Redis discovers the cluster from them.
/// Stopping or starting the resource stops or starts every node (the tests' Redis outages).
/// </summary>
public sealed class LocalRedisClusterResource(string name, string command, string workingDirectory, ParameterResource password, IReadOnlyList<int> ports)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public ParameterResource PasswordParameter { get; } = password;

    /// <summary>The nodes' client ports, on 127.0.0.1 (each node's cluster bus has a port of its own).</summary>
    public IReadOnlyList<int> Ports { get; } = ports;

    public ReferenceExpression ConnectionStringExpression
    {
        get
        {
            var nodes = string.Join(',', Ports.Select(port => $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"));
            return ReferenceExpression.Create($"{nodes},password={PasswordParameter}");
        }
    }
}

internal static class LocalRedisClusterExtensions
{
    public const int Masters = 3;

    /// <summary>
    /// Runs <see cref="Masters"/> cluster-enabled <c>redis-server</c> masters under
    /// <c>redis-cluster.sh</c>, which creates the cluster with <c>redis-cli --cluster create</c>
    /// on the first start. The nodes' ports are chosen once per data folder and kept in it: a
    /// node's cluster state (nodes.conf) names its peers by address, so a later run on the same
    /// data must use the same ports. The AppHost's health check reports healthy only once
    /// every node says <c>cluster_state:ok</c>.
    /// </summary>
    public static IResourceBuilder<LocalRedisClusterResource> AddLocalRedisCluster(
        this IDistributedApplicationBuilder builder, string name, LocalBinaries binaries, LocalDataFolder data)
    {
        var cli = LocalBinaries.FindRedisCli() ?? throw new DistributedApplicationException(
            "A Redis Cluster (--redis cluster) needs redis-cli to create it: sudo apt-get install -y redis-tools — or run ./eng/run.sh, which installs it.");
        var bash = LocalBinaries.FindOnPath("bash") ?? "/bin/bash";

        var directory = Path.Combine(data.Root, "redis-cluster");
        Directory.CreateDirectory(directory);
        var passwordValue = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        var password = builder.AddParameter($"{name}-password", passwordValue, secret: true);
        var configFile = WriteConfig(directory, data.Ephemeral, passwordValue);
        var script = WriteScript(directory);
        var nodes = NodePorts(directory);

        var redis = new LocalRedisClusterResource(name, bash, directory, password.Resource, [.. nodes.Select(n => n.Port)]);

        var healthCheckKey = LocalRedisExtensions.AddRedisHealthCheck(builder, redis);

        return builder.AddResource(redis)
            .WithArgs([script, binaries.RedisServer, cli, configFile, directory,
                .. nodes.Select(n => $"{n.Port.ToString(CultureInfo.InvariantCulture)}:{n.BusPort.ToString(CultureInfo.InvariantCulture)}")])
            .WithIconName("Memory")
            .WithHealthCheck(healthCheckKey);
    }

    /// <summary>What every node shares; each gets its port, cluster-bus port and folder on the command line.</summary>
    private static string WriteConfig(string directory, bool ephemeral, string password)
    {
        var path = Path.Combine(directory, "node.conf");
        var persistence = ephemeral
            ? "appendonly no"
            : "appendonly yes\nappendfsync everysec";
        LocalDataFolder.WriteSecretFile(path, $"""
            bind 127.0.0.1
            protected-mode yes
            daemonize no
            # The environment stays readable in /proc, where the next start looks for what a killed run left (LeftoverProcesses).
            set-proc-title no
            save ""
            {persistence}
            requirepass {password}
            masterauth {password}
            cluster-enabled yes
            cluster-config-file nodes.conf
            cluster-node-timeout 5000
            """);
        return path;
    }

    private static string WriteScript(string directory)
    {
        var path = Path.Combine(directory, "redis-cluster.sh");
        using (var source = typeof(LocalRedisClusterExtensions).Assembly.GetManifestResourceStream("redis-cluster.sh")
            ?? throw new InvalidOperationException("redis-cluster.sh is not embedded in the AppHost."))
        using (var target = File.Create(path))
        {
            source.CopyTo(target);
        }
        return path;
    }

    /// <summary>
    /// The client and cluster-bus ports of each node: the ones this data folder's cluster was
    /// created with, else free ones, written down for the next run.
    /// </summary>
    private static List<(int Port, int BusPort)> NodePorts(string directory)
    {
        var file = Path.Combine(directory, "ports");
        if (File.Exists(file))
        {
            var kept = File.ReadAllLines(file)
                .Where(line => line.Contains(':', StringComparison.Ordinal))
                .Select(line => line.Split(':'))
                .Select(parts => (Port: int.Parse(parts[0], CultureInfo.InvariantCulture), BusPort: int.Parse(parts[1], CultureInfo.InvariantCulture)))
                .ToList();
            if (kept.SelectMany(n => new[] { n.Port, n.BusPort }).FirstOrDefault(port => !IsFree(port)) is var busy and > 0)
            {
                throw new DistributedApplicationException(
                    $"Port {busy}, which this data folder's Redis Cluster was created with, is in use. Free it, or start with --reset for a new cluster.");
            }
            return kept;
        }

        var listeners = Enumerable.Range(0, Masters * 2).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToList();
            var nodes = Enumerable.Range(0, Masters).Select(i => (Port: ports[2 * i], BusPort: ports[2 * i + 1])).ToList();
            File.WriteAllLines(file, nodes.Select(n => $"{n.Port.ToString(CultureInfo.InvariantCulture)}:{n.BusPort.ToString(CultureInfo.InvariantCulture)}"));
            return nodes;
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    private static bool IsFree(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }
}
