using System.Threading.Channels;

namespace Matcha.EventBus;

/// <summary>
/// A wake-up that coalesces (a relay's commit notice, a consumer's Redis message), and one loop's wait for
/// it that ends at the first wake or after a timeout, whichever comes first. The relays and consumers
/// wait here between polls (every 100 ms when idle); waiting with <c>CancelAfter</c> threw and caught
/// an <see cref="OperationCanceledException"/> at every idle poll, about 40 a second in an idle
/// service, which is noise in the exception counters an operator watches. This wait does not throw
/// unless the service is stopping.
/// </summary>
/// <remarks>For one waiting loop: the wait on the channel is kept across timeouts (a new one per call would leave a waiter behind each time).</remarks>
internal sealed class WakeSignal
{
    private readonly Channel<bool> _wakes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private Task<bool>? _pending;

    public void Wake() => _wakes.Writer.TryWrite(true);

    /// <returns>Whether a wake came; false when the timeout passed first.</returns>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken stoppingToken)
    {
        if (_wakes.Reader.TryRead(out _))
        {
            return true;
        }
        _pending ??= _wakes.Reader.WaitToReadAsync(stoppingToken).AsTask();
        if (!_pending.IsCompleted)
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            // A cancelled delay ends as a cancelled task: nothing is thrown here.
            await Task.WhenAny(_pending, Task.Delay(timeout, timer.Token));
            await timer.CancelAsync();
        }
        stoppingToken.ThrowIfCancellationRequested();
        if (!_pending.IsCompleted)
        {
            return false;
        }
        _pending = null;
        return _wakes.Reader.TryRead(out _);
    }
}
