using Microsoft.Extensions.Caching.Memory;

namespace Matcha.Ratings.Recommendations.Serving;

/// <summary>
/// In-memory entries computed once however many requests miss them together. <see cref="IMemoryCache"/>'s
/// own <c>GetOrCreateAsync</c> runs its factory for every caller that misses: when the film list
/// expired, the sixteen home screens in flight for one user each read 100,000 films from Postgres
/// and each ranked them all (docs/performance.md, "Screens"). Here the first caller starts the
/// computation and every caller awaits that one; a caller that gives up stops waiting, not the
/// computation, whose result the next request finds; a computation that failed is not kept.
/// </summary>
/// <remarks>
/// HybridCache has the same protection, but its keys are strings and these entries are keyed by
/// object identity (a fold-in, a film list), and it copies a value on every read unless the type is
/// marked immutable; these values are read-only lists of up to 100,000 films, shared as they are.
/// </remarks>
internal static class SharedEntries
{
    private static readonly Lock Gate = new();

    public static Task<T> GetOrComputeAsync<T>(
        this IMemoryCache cache, object key, MemoryCacheEntryOptions options, Func<CancellationToken, Task<T>> compute,
        CancellationToken cancellationToken)
    {
        Lazy<Task<T>> shared;
        lock (Gate)   // held only to find or add the entry, never while computing
        {
            shared = cache.GetOrCreate(key, entry =>
            {
                entry.SetOptions(options);
                return new Lazy<Task<T>>(() => Task.Run(() => compute(CancellationToken.None)));
            })!;
        }
        var task = shared.Value;
        if (!task.IsCompleted)
        {
            _ = task.ContinueWith(
                done => Forget(cache, key, shared), CancellationToken.None,
                TaskContinuationOptions.NotOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        else if (!task.IsCompletedSuccessfully)
        {
            Forget(cache, key, shared);
        }
        return task.WaitAsync(cancellationToken);
    }

    /// <summary>Drops a failed computation, unless the entry has already been replaced by a newer one.</summary>
    private static void Forget<T>(IMemoryCache cache, object key, Lazy<Task<T>> failed)
    {
        lock (Gate)
        {
            if (cache.TryGetValue(key, out var current) && ReferenceEquals(current, failed))
            {
                cache.Remove(key);
            }
        }
    }
}
