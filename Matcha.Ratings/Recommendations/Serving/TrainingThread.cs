using System.Runtime.InteropServices;

namespace Matcha.Ratings.Recommendations.Serving;

/// <summary>
/// Runs a fit on a thread of its own (not the pool's, which request handling and event consumers
/// need) at a lower scheduling priority, so requests get the cores first while a training runs and
/// training still takes whatever the requests leave.
/// </summary>
internal static class TrainingThread
{
    // Linux nice value: a nice-10 thread gets about a tenth of a core that a busy nice-0 thread
    // also wants, and all of an idle one. Raising one's own nice value needs no privilege.
    private const int Nice = 10;
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
        // .NET applies Thread.Priority on Windows but not on Linux, where a thread's nice value is
        // its own: setpriority on the thread's id. A failure leaves the thread at normal priority.
        if (OperatingSystem.IsLinux())
        {
            _ = SetPriority(PrioProcess, GetThreadId(), Nice);
        }
    }

    [DllImport("libc", EntryPoint = "setpriority")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetPriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "gettid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int GetThreadId();
}
