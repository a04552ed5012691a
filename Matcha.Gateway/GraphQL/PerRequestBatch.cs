using GraphQL;
using GraphQL.DataLoader;

namespace Matcha.Gateway.GraphQL;

/// <summary>
/// One read of a service for every id a query level asks for. GraphQL.NET runs a level's
/// resolvers first and only then awaits the <see cref="IDataLoaderResult"/>s they returned, so
/// the first await finds every id of the level queued and reads them in one call; ids asked after
/// that call started go into the next. Written here because the GraphQL.DataLoader package is not
/// served; GraphQL.NET's core has the deferred-result contract this implements. One instance per
/// request (scoped), so nothing is shared between callers.
/// </summary>
internal sealed class PerRequestBatch<TValue>(Func<IReadOnlyList<int>, CancellationToken, Task<BatchAnswer<TValue>>> read) where TValue : class
{
    private readonly Lock _gate = new();
    private readonly Dictionary<List<int>, Task<BatchAnswer<TValue>>> _reads = new(ReferenceEqualityComparer.Instance);
    private List<int> _queued = [];

    public IDataLoaderResult<TValue?> Load(int id, IResolveFieldContext context)
    {
        List<int> batch;
        lock (_gate)
        {
            batch = _queued;
            batch.Add(id);
        }
        return new Deferred<TValue?>(async ct =>
        {
            var answer = await ReadAsync(batch, ct);
            if (answer.FailedService is { } service)
            {
                ServiceErrors.Report(context, service, answer.FailureReason!);
                return null;
            }
            return answer.Values.GetValueOrDefault(id);
        });
    }

    private Task<BatchAnswer<TValue>> ReadAsync(List<int> batch, CancellationToken ct)
    {
        lock (_gate)
        {
            if (!_reads.TryGetValue(batch, out var reading))
            {
                // The first await of this batch: read it, and queue later ids in a new one.
                reading = read([.. batch.Distinct()], ct);
                _reads[batch] = reading;
                if (ReferenceEquals(batch, _queued))
                {
                    _queued = [];
                }
            }
            return reading;
        }
    }

    private sealed class Deferred<T>(Func<CancellationToken, Task<T>> get) : IDataLoaderResult<T>
    {
        private Task<T>? _result;

        public Task<T> GetResultAsync(CancellationToken cancellationToken = default) => _result ??= get(cancellationToken);

        async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) => await GetResultAsync(cancellationToken);
    }
}

/// <summary>What one batched read gave: the values by id, or which service failed and why.</summary>
internal sealed record BatchAnswer<TValue>(IReadOnlyDictionary<int, TValue> Values, string? FailedService = null, string? FailureReason = null);
