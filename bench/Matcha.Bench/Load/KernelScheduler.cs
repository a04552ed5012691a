using System.Globalization;

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
    private const string OwnSession = "/proc/self/autogroup";

    public static string Describe()
    {
        var setting = File.Exists(Autogroup) ? File.ReadAllText(Autogroup).Trim() : null;
        return "the kernel's scheduler: " + setting switch
        {
            "1" => "autogroup on (the cores shared between sessions first; kernel.sched_autogroup_enabled=1)",
            "0" => "autogroup off (the cores shared between threads alike; kernel.sched_autogroup_enabled=0)",
            null => "no autogroup on this system",
            _ => $"kernel.sched_autogroup_enabled={setting}",
        };
    }

    /// <summary>
    /// Puts the benchmark's own session at the nice <paramref name="nice"/> until the result is disposed, which puts back
    /// the nice it had. The client stands in for users' devices, which are not on the machine it measures; with autogroup
    /// on, its session otherwise has as large a share of the two cores as all of Matcha's services together (the
    /// orchestrator's one session). A positive nice needs no privilege; with autogroup off it changes nothing.
    /// </summary>
    public static IDisposable YieldCores(int nice)
    {
        var before = SessionNice();
        if (nice == 0 || before is null || !TrySetSessionNice(nice))
        {
            Console.WriteLine(nice == 0
                ? "  the benchmark's client: its session keeps its share of the cores in the steady phase (--client-nice 0)"
                : "  the benchmark's client: its session's nice could not be set here; it keeps its share of the cores in the steady phase");
            return new Restore(null);
        }
        Console.WriteLine($"  the benchmark's client: its session at nice {nice} from the steady phase on, so that it yields the cores to what it measures " +
            "(with autogroup on it otherwise has the share of all of Matcha's services together; --client-nice 0 keeps it)");
        return new Restore(before);
    }

    private sealed class Restore(int? nice) : IDisposable
    {
        public void Dispose()
        {
            if (nice is { } value)
            {
                TrySetSessionNice(value);
            }
        }
    }

    /// <summary>The nice of this process's session, from <c>/autogroup-N nice K</c>; null where there is no such file.</summary>
    private static int? SessionNice()
    {
        try
        {
            var words = File.ReadAllText(OwnSession).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return words is [.., "nice", var value] && int.TryParse(value, CultureInfo.InvariantCulture, out var nice) ? nice : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool TrySetSessionNice(int nice)
    {
        try
        {
            File.WriteAllText(OwnSession, nice.ToString(CultureInfo.InvariantCulture));
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
