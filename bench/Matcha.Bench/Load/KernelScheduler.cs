namespace Matcha.Bench.Load;

/// <summary>
/// How Linux shared the cores between the run's processes. With autogroup (on by default in Debian's
/// kernel) it shares them between sessions first, then between the threads of each: the orchestrator
/// starts all of Matcha's services and Redis in one session, Postgres gives each backend a session of its
/// own, and the benchmark's client runs in its shell's. The event lag depends on it (docs/performance.md,
/// "The kernel's autogroup"), so a run says which it had.
/// </summary>
internal static class KernelScheduler
{
    private const string Autogroup = "/proc/sys/kernel/sched_autogroup_enabled";

    public static string Describe()
    {
        var setting = File.Exists(Autogroup) ? File.ReadAllText(Autogroup).Trim() : null;
        return setting switch
        {
            "1" => "the kernel's scheduler: autogroup on (the cores shared between sessions first; kernel.sched_autogroup_enabled=1)",
            "0" => "the kernel's scheduler: autogroup off (the cores shared between threads alike; kernel.sched_autogroup_enabled=0)",
            null => "the kernel's scheduler: no autogroup on this system",
            _ => $"the kernel's scheduler: kernel.sched_autogroup_enabled={setting}",
        };
    }
}
