using System.Runtime.InteropServices;

namespace Matcha.Ratings.Recommendations.Serving;

/// <summary>
/// Runs a fit on a thread of its own (not the pool's, which request handling and event consumers
/// need) at the lowest scheduling priority, so requests get the cores first while a training runs
/// and training still takes whatever the requests leave.
/// </summary>
internal static class TrainingThread
{
    // Linux SCHED_IDLE: the thread runs only when no ordinary thread wants the core, and a waking
    // ordinary thread preempts it at once. Nice 10 (a tenth of a contended core) still let a
    // request wait for the fit's time slice: p99 of predictions 1.75 × and of writes 2.14 × idle
    // during a training (docs/recommendations.md). Neither needs privilege for one's own thread.
    private const int SchedIdle = 5;
    private const int Nice = 19;
    private const int PrioProcess = 0;

    public static Task<T> Run<T>(Func<T> work, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            Lower();
            try
            {
                done.TrySetResult(work());
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                done.TrySetCanceled(cancellationToken);
            }
            catch (Exception exception)
            {
                done.TrySetException(exception);
            }
        })
        {
            IsBackground = true,
            Name = "Recommendation training",
            Priority = ThreadPriority.Lowest,
        };
        thread.Start();
        return done.Task;
    }

    private static void Lower()
    {
        // .NET applies Thread.Priority on Windows but not on Linux, where a thread's policy and nice
        // value are its own: sched_setscheduler and setpriority on the thread's id. The nice value
        // is the fallback where SCHED_IDLE is refused; a failure of both leaves normal priority.
        if (OperatingSystem.IsLinux())
        {
            var thread = GetThreadId();
            _ = SetPriority(PrioProcess, thread, Nice);
            var parameters = new SchedParam { Priority = 0 };
            _ = SetScheduler(thread, SchedIdle, ref parameters);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SchedParam
    {
        public int Priority;
    }

    [DllImport("libc", EntryPoint = "sched_setscheduler")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetScheduler(int pid, int policy, ref SchedParam parameters);

    [DllImport("libc", EntryPoint = "setpriority")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetPriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "gettid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int GetThreadId();
}
