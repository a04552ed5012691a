using Matcha.EventBus;

namespace Matcha.Tests.Backbone;

/// <summary>
/// How the relays and consumers wait between polls: a wake ends the wait at once (even one that
/// came before the wait began), several wakes count as one, the timeout ends it quietly, and
/// stopping the service ends it with a cancellation. Fast: no Redis, no Postgres.
/// </summary>
public sealed class WakeSignalTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AWakeEndsTheWaitAtOnce()
    {
        var signal = new WakeSignal();
        var waiting = signal.WaitAsync(Long, CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        signal.Wake();

        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task AWakeBeforeTheWaitIsKeptAndManyWakesCountAsOne()
    {
        var signal = new WakeSignal();
        signal.Wake();
        signal.Wake();
        signal.Wake();

        Assert.True(await signal.WaitAsync(Long, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.False(await signal.WaitAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None));
    }

    [Fact]
    public async Task TheTimeoutEndsTheWaitWithoutAWakeAndTheNextWakeStillCounts()
    {
        var signal = new WakeSignal();
        for (var i = 0; i < 3; i++)
        {
            Assert.False(await signal.WaitAsync(TimeSpan.FromMilliseconds(20), CancellationToken.None));
        }

        var waiting = signal.WaitAsync(Long, CancellationToken.None);
        signal.Wake();
        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task StoppingEndsTheWaitWithACancellation()
    {
        var signal = new WakeSignal();
        using var stopping = new CancellationTokenSource();
        var waiting = signal.WaitAsync(Long, stopping.Token);

        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
