using System.Diagnostics;
using Matcha.AppHost.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Matcha.Tests.Foundation;

/// <summary>
/// What a start does with processes an earlier run left on its data folder (<see cref="LeftoverProcesses"/>):
/// those whose AppHost is gone are stopped, and those of a live AppHost stop the start with an
/// error that names it. The processes here are <c>sleep</c>s marked as a run marks Postgres and Redis.
/// </summary>
public sealed class LeftoverProcessesTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"matcha-leftover-{Guid.NewGuid():N}");
    private readonly List<Process> _started = [];

    [Fact]
    public async Task ProcessesWhoseAppHostIsGoneAreStopped()
    {
        // One owner is a pid that is not running; the other is this test's pid with another start time,
        // as when the AppHost's pid has been reused by an unrelated process.
        var gone = StartMarked(owner: "2147483646@1");
        var reused = StartMarked(owner: $"{Environment.ProcessId}@1");
        var logger = new FakeLogger();

        var stopped = await LeftoverProcesses.StopAsync(_folder, logger, TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.Equal([gone.Id, reused.Id], stopped.Select(p => p.Pid).Order());
        Assert.True(gone.WaitForExit(TimeSpan.FromSeconds(5)), "the leftover whose AppHost is gone still runs");
        Assert.True(reused.WaitForExit(TimeSpan.FromSeconds(5)), "the leftover whose AppHost's pid was reused still runs");
        Assert.Empty(LeftoverProcesses.Of(_folder));
        var warnings = logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Message).ToList();
        Assert.Contains(warnings, m => m.Contains($"process {gone.Id}", StringComparison.Ordinal) && m.Contains(_folder, StringComparison.Ordinal));
        Assert.Contains(warnings, m => m.Contains($"process {reused.Id}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProcessesOfALiveAppHostStopTheStartAndAreLeftAlone()
    {
        var appHost = StartProcess(new ProcessStartInfo("sleep", "300"));
        var owner = LeftoverProcesses.IdentityOf(appHost.Id)!;
        Assert.True(LeftoverProcesses.IsAlive(owner));
        var running = StartMarked(owner);

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() =>
            LeftoverProcesses.StopAsync(_folder, new FakeLogger(), TimeSpan.FromSeconds(10), CancellationToken.None));

        Assert.Contains($"Another Matcha AppHost (process {appHost.Id})", error.Message, StringComparison.Ordinal);
        Assert.Contains(_folder, error.Message, StringComparison.Ordinal);
        Assert.Contains("--Matcha:Infrastructure:DataDirectory", error.Message, StringComparison.Ordinal);
        Assert.False(running.HasExited, "a live run's process was stopped");
        Assert.Equal([running.Id], LeftoverProcesses.Of(_folder).Select(p => p.Pid));
    }

    [Fact]
    public async Task AFolderNothingRunsOnStartsAtOnce()
    {
        StartMarked(owner: "2147483646@1", folder: _folder + "-other");

        var stopped = await LeftoverProcesses.StopAsync(_folder, new FakeLogger(), TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.Empty(stopped);
        Assert.Single(LeftoverProcesses.Of(_folder + "-other"));
    }

    private Process StartMarked(string owner, string? folder = null)
    {
        var info = new ProcessStartInfo("sleep", "300");
        info.Environment[LocalInfrastructure.DataDirectoryVariable] = folder ?? _folder;
        info.Environment[LeftoverProcesses.OwnerVariable] = owner;
        return StartProcess(info);
    }

    private Process StartProcess(ProcessStartInfo info)
    {
        var process = Process.Start(info)!;
        _started.Add(process);
        return process;
    }

    public void Dispose()
    {
        foreach (var process in _started)
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
            process.Dispose();
        }
    }
}
