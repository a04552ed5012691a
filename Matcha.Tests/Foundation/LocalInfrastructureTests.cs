using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Matcha.AppHost.Infrastructure;
using Npgsql;
using StackExchange.Redis;

namespace Matcha.Tests.Foundation;

/// <summary>
/// Local-process mode under the test host: each run has its own throw-away Postgres and Redis,
/// disposing the app leaves no process and no folder behind, and what a killed run left running
/// on a folder does not keep the next run on it from starting. Only the infrastructure resources
/// are started here.
/// </summary>
[Trait("Category", "AppHost")]
public sealed class LocalInfrastructureTests
{
    private static readonly string[] Infrastructure = ["postgres", "catalogdb", "ratingsdb", "accountsdb", "redis"];

    [Fact]
    public async Task TwoRunsDoNotSeeEachOthersDataAndLeaveNothingRunning()
    {
        var folders = new[] { NewFolder(), NewFolder() };
        var starts = folders.Select(folder => StartInfrastructureAsync(folder)).ToArray();
        try
        {
            await Task.WhenAll(starts);
        }
        catch
        {
            // The run that did start must not outlive the test.
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await (await start).DisposeAsync();
            }
            throw;
        }

        var apps = await Task.WhenAll(starts);
        try
        {
            await Task.WhenAll(apps.Select((app, i) => WriteMarkerAsync(app, $"run-{i}")));

            for (var i = 0; i < apps.Length; i++)
            {
                Assert.Equal([$"run-{i}"], await ReadMarkersAsync(apps[i]));
                Assert.Equal($"run-{i}", await ReadRedisMarkerAsync(apps[i]));
                // Both servers are found by their mark (Redis keeps its environment readable: set-proc-title no).
                var names = LeftoverProcesses.Of(folders[i]).Select(p => p.Name).ToHashSet();
                Assert.Contains("postgres", names);
                Assert.Contains("redis-server", names);
            }
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.DisposeAsync();
            }
        }

        foreach (var folder in folders)
        {
            await WaitUntil(() => ProcessesOf(folder).Count == 0, TimeSpan.FromSeconds(30));
            Assert.Empty(ProcessesOf(folder));
            await WaitUntil(() => !Directory.Exists(folder), TimeSpan.FromSeconds(10));
            Assert.False(Directory.Exists(folder), $"{folder} was left behind");
        }
    }

    /// <summary>
    /// A run killed together with its orchestrator leaves Postgres running on its data folder, and
    /// the next run's Postgres would find the folder locked and never start. The next run on the
    /// folder stops it first (a fast shutdown, so nothing is lost) and starts.
    /// </summary>
    [Fact]
    public async Task ARunStopsThePostgresAKilledRunLeftOnItsFolder()
    {
        var folder = NewFolder();
        // A first run initialises the folder and writes to it; the folder is kept when it stops.
        var first = await StartInfrastructureAsync(folder, keepFolder: true);
        try
        {
            await WriteMarkerAsync(first, "before");
        }
        finally
        {
            await first.DisposeAsync();
        }
        await WaitUntil(() => ProcessesOf(folder).Count == 0, TimeSpan.FromSeconds(30));

        // What a run killed with its orchestrator leaves: its Postgres and Redis, marked with the folder and an AppHost that is gone.
        using var leftover = StartLeftoverPostgres(folder);
        using var leftoverRedis = StartLeftover(folder, LocalBinaries.Find()!.RedisServer,
            ["--port", $"{FreePort()}", "--bind", "127.0.0.1", "--dir", Path.Combine(folder, "redis"), "--appendonly", "yes", "--set-proc-title", "no"]);
        var lockFile = Path.Combine(folder, "postgres", "postmaster.pid");
        await WaitUntil(() => !leftover.HasExited && File.Exists(lockFile) && File.ReadAllText(lockFile).Contains("ready", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.False(leftover.HasExited, "the leftover Postgres did not start");

        try
        {
            var second = await StartInfrastructureAsync(folder);
            try
            {
                Assert.True(leftover.HasExited, "the leftover Postgres still runs");
                Assert.True(leftoverRedis.HasExited, "the leftover Redis still runs");
                Assert.Equal(["before"], await ReadMarkersAsync(second));
            }
            finally
            {
                await second.DisposeAsync();
            }
        }
        finally
        {
            // Should the start not have stopped it, the test does.
            foreach (var process in new[] { leftover, leftoverRedis }.Where(p => !p.HasExited))
            {
                process.Kill();
            }
        }
        await WaitUntil(() => ProcessesOf(folder).Count == 0 && !Directory.Exists(folder), TimeSpan.FromSeconds(30));
        Assert.Empty(ProcessesOf(folder));
    }

    private static Process StartLeftoverPostgres(string folder)
    {
        string[] server = [LocalBinaries.Find()!.Postgres, "-D", Path.Combine(folder, "postgres"), "-p", $"{FreePort()}", "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="];
        return LocalBinaries.RunningAsRoot
            ? StartLeftover(folder, "setpriv", [$"--reuid={LocalBinaries.PostgresAccount}", $"--regid={LocalBinaries.PostgresAccount}", "--init-groups", "--", .. server])
            : StartLeftover(folder, server[0], server[1..]);
    }

    private static Process StartLeftover(string folder, string program, string[] args)
    {
        var info = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment[LocalInfrastructure.DataDirectoryVariable] = folder;
        info.Environment[LeftoverProcesses.OwnerVariable] = "2147483646@1";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int FreePort()
    {
        using var free = new TcpListener(IPAddress.Loopback, 0);
        free.Start();
        return ((IPEndPoint)free.LocalEndpoint).Port;
    }

    /// <summary>
    /// Starts the infrastructure of one run. Aspire picks each local port by checking that it is
    /// free, and the process binds it only later (Postgres after initdb); another app starting on
    /// the machine in between may check and take the same port. Only that lost race, seen in
    /// Postgres's or Redis's own words, earns one more start on new ports; any other failure fails
    /// the test with the resources' output.
    /// </summary>
    private static async Task<DistributedApplication> StartInfrastructureAsync(string folder, bool keepFolder = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            string[] args = [.. MatchaAppFixture.LocalInfrastructureArgs(folder), .. keepFolder ? ["--Matcha:Infrastructure:Ephemeral=false"] : Array.Empty<string>()];
            var builder = await MatchaAppFixture.CreateBuilderAsync(args);
            foreach (var resource in builder.Resources.Where(r => r is not ParameterResource && !Infrastructure.Contains(r.Name)).ToList())
            {
                builder.Resources.Remove(resource);
            }

            var app = await builder.BuildAsync();
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                await app.StartAsync(cts.Token);
                await app.WaitAllHealthyAsync(Infrastructure, cts.Token);
                return app;
            }
            catch (ResourceStartException e) when (attempt == 1 && e.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
                Console.WriteLine($"A port picked for {folder} was taken before its process bound it; starting once more.{Environment.NewLine}{e.Message}");
                await app.DisposeAsync();
            }
            catch
            {
                await app.DisposeAsync();
                throw;
            }
        }
    }

    private static async Task WriteMarkerAsync(DistributedApplication app, string marker)
    {
        await using var connection = new NpgsqlConnection(await app.GetConnectionStringAsync("catalogdb"));
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand("CREATE TABLE isolation_probe (marker text)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }
        await using (var insert = new NpgsqlCommand("INSERT INTO isolation_probe VALUES ($1)", connection) { Parameters = { new() { Value = marker } } })
        {
            await insert.ExecuteNonQueryAsync();
        }

        await using var redis = await ConnectionMultiplexer.ConnectAsync((await app.GetConnectionStringAsync("redis"))!);
        await redis.GetDatabase().StringSetAsync("isolation-probe", marker);
    }

    private static async Task<List<string>> ReadMarkersAsync(DistributedApplication app)
    {
        await using var connection = new NpgsqlConnection(await app.GetConnectionStringAsync("catalogdb"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT marker FROM isolation_probe", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var markers = new List<string>();
        while (await reader.ReadAsync())
        {
            markers.Add(reader.GetString(0));
        }
        return markers;
    }

    private static async Task<string?> ReadRedisMarkerAsync(DistributedApplication app)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync((await app.GetConnectionStringAsync("redis"))!);
        return await redis.GetDatabase().StringGetAsync("isolation-probe");
    }

    /// <summary>The processes of one data folder, found by the mark every process of a run carries.</summary>
    private static List<int> ProcessesOf(string folder) => [.. LeftoverProcesses.Of(folder).Select(p => p.Pid)];

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
    }

    private static string NewFolder() => Path.Combine(Path.GetTempPath(), $"matcha-test-{Guid.NewGuid():N}");
}
