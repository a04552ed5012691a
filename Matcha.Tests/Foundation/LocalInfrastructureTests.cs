using Npgsql;
using StackExchange.Redis;

namespace Matcha.Tests.Foundation;

/// <summary>
/// Local-process mode under the test host: each run has its own throw-away Postgres and Redis,
/// and disposing the app leaves no process and no folder behind. Only the infrastructure
/// resources are started here, two apps at once.
/// </summary>
[Trait("Category", "AppHost")]
public sealed class LocalInfrastructureTests
{
    private static readonly string[] Infrastructure = ["postgres", "catalogdb", "ratingsdb", "accountsdb", "redis"];

    [Fact]
    public async Task TwoRunsDoNotSeeEachOthersDataAndLeaveNothingRunning()
    {
        var folders = new[] { NewFolder(), NewFolder() };
        var starts = folders.Select(StartInfrastructureAsync).ToArray();
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
                Assert.NotEmpty(ProcessesOf(folders[i]));
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
    /// Starts the infrastructure of one run. Aspire picks each local port by checking that it is
    /// free, and the process binds it only later (Postgres after initdb); another app starting on
    /// the machine in between may check and take the same port. Only that lost race, seen in
    /// Postgres's or Redis's own words, earns one more start on new ports; any other failure fails
    /// the test with the resources' output.
    /// </summary>
    private static async Task<DistributedApplication> StartInfrastructureAsync(string folder)
    {
        for (var attempt = 1; ; attempt++)
        {
            var builder = await MatchaAppFixture.CreateBuilderAsync(MatchaAppFixture.LocalInfrastructureArgs(folder));
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

    /// <summary>
    /// Every process started for one data folder carries MATCHA_DATA_DIRECTORY in its
    /// environment, and so does every child it forks (Postgres backends included).
    /// </summary>
    private static List<int> ProcessesOf(string folder)
    {
        var marker = $"MATCHA_DATA_DIRECTORY={folder}";
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains(marker))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked, or is not ours to read.
            }
        }
        return found;
    }

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
