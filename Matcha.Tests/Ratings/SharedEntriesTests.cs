using Matcha.Ratings.Recommendations.Serving;
using Microsoft.Extensions.Caching.Memory;

namespace Matcha.Tests.Ratings;

/// <summary>
/// What Ratings' film list and top picks rest on: however many requests miss an entry together,
/// it is computed once; a request that gives up does not stop it for the others; a failure is
/// not kept. Fast: in memory only.
/// </summary>
public sealed class SharedEntriesTests : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions());
    private static readonly MemoryCacheEntryOptions ForAMinute = new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) };

    public void Dispose() => _cache.Dispose();

    [Fact]
    public async Task SixteenRequestsThatMissTogetherComputeTheEntryOnceAndAllGetIt()
    {
        var computed = 0;
        var release = new TaskCompletionSource();
        async Task<int[]> Compute(CancellationToken ct)
        {
            Interlocked.Increment(ref computed);
            await release.Task;
            return [1, 2, 3];
        }

        var requests = Enumerable.Range(0, 16)
            .Select(_ => Task.Run(() => _cache.GetOrComputeAsync("films", ForAMinute, Compute, CancellationToken.None)))
            .ToArray();
        await Task.Delay(100);
        release.SetResult();
        var answers = await Task.WhenAll(requests);

        Assert.Equal(1, computed);
        Assert.All(answers, answer => Assert.Same(answers[0], answer));
        Assert.Same(answers[0], await _cache.GetOrComputeAsync("films", ForAMinute, Compute, CancellationToken.None));
        Assert.Equal(1, computed);
    }

    [Fact]
    public async Task ARequestThatGivesUpStopsWaitingButTheOthersGetTheEntry()
    {
        var release = new TaskCompletionSource();
        var tokenSeen = new TaskCompletionSource<CancellationToken>();
        async Task<string> Compute(CancellationToken ct)
        {
            tokenSeen.TrySetResult(ct);
            await release.Task;
            return "ranked";
        }
        using var givesUp = new CancellationTokenSource();

        var impatient = _cache.GetOrComputeAsync("picks", ForAMinute, Compute, givesUp.Token);
        var patient = _cache.GetOrComputeAsync("picks", ForAMinute, Compute, CancellationToken.None);
        givesUp.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient);
        Assert.False((await tokenSeen.Task).CanBeCanceled);
        release.SetResult();
        Assert.Equal("ranked", await patient);
    }

    [Fact]
    public async Task AComputationThatFailedIsNotKeptAndTheNextRequestComputesAgain()
    {
        var attempts = 0;
        Task<string> Compute(CancellationToken ct) => ++attempts == 1
            ? throw new InvalidOperationException("Postgres went away")
            : Task.FromResult("films");

        await Assert.ThrowsAsync<InvalidOperationException>(() => _cache.GetOrComputeAsync("films", ForAMinute, Compute, CancellationToken.None));
        await Task.Delay(50);   // the failure is forgotten as the computation ends

        Assert.Equal("films", await _cache.GetOrComputeAsync("films", ForAMinute, Compute, CancellationToken.None));
        Assert.Equal(2, attempts);
    }
}
