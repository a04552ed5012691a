using Matcha.Ratings.Recommendations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Matcha.Tests.Ratings;

/// <summary>
/// The average of every rating beside the caller's own on "my page": Postgres reads it once
/// however many pages ask together, and once it is known no page waits for it again — a reading
/// that is due is replaced in the background while pages go on with the one in hand. Fast: the
/// read is a function here.
/// </summary>
public sealed class EveryonesAverageTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
    private int _reads;
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private double? _average = 3.5;
    private bool _fails;
    private readonly FakeLogger<EveryonesAverage> _logger = new();

    private EveryonesAverage Create() => new(async _ =>
    {
        Interlocked.Increment(ref _reads);
        await _release.Task;
        return _fails ? throw new InvalidOperationException("Postgres is down") : _average;
    }, _clock, _logger);

    /// <summary>An average that has read 3.5, and whose next read, <paramref name="later"/>, gives <paramref name="next"/> once released.</summary>
    private async Task<EveryonesAverage> ReadOnceThenHoldAsync(double next, TimeSpan later)
    {
        var average = Create();
        _release.SetResult();
        Assert.Equal(3.5, await average.GetAsync(CancellationToken.None));
        _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _average = next;
        _clock.Advance(later);
        return average;
    }

    [Fact]
    public async Task TheFirstPagesWaitForOneReadAndLaterOnesWithinAMinuteReadNothing()
    {
        var average = Create();

        var pages = Enumerable.Range(0, 16).Select(_ => Task.Run(() => average.GetAsync(CancellationToken.None))).ToArray();
        Assert.Equal(1, await EventsDriver.EventuallyAsync(() => Task.FromResult(_reads), reads => reads > 0, TimeSpan.FromSeconds(5)));
        Assert.All(pages, page => Assert.False(page.IsCompleted));
        _release.SetResult();

        Assert.All(await Task.WhenAll(pages), answer => Assert.Equal(3.5, answer));
        _clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(3.5, await average.GetAsync(CancellationToken.None));
        Assert.Equal(1, _reads);
    }

    [Fact]
    public async Task AfterAMinutePagesGetTheReadingInHandAtOnceWhileOneNewReadRuns()
    {
        var average = await ReadOnceThenHoldAsync(3.75, TimeSpan.FromMinutes(1));
        var pages = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => average.GetAsync(CancellationToken.None))));

        Assert.All(pages, answer => Assert.Equal(3.5, answer));
        // The new read starts on the thread pool, so on a busy machine it may begin after the pages have their answers.
        Assert.Equal(2, await EventsDriver.EventuallyAsync(() => Task.FromResult(_reads), reads => reads > 1, TimeSpan.FromSeconds(5)));
        Assert.Equal(3.5, await average.GetAsync(CancellationToken.None));
        Assert.Equal(2, _reads);
        _release.SetResult();
        Assert.Equal(3.75, await EventsDriver.EventuallyAsync(() => average.GetAsync(CancellationToken.None), answer => answer == 3.75, TimeSpan.FromSeconds(5)));
        Assert.Equal(2, _reads);
    }

    [Fact]
    public async Task AFailedReadKeepsTheReadingInHandAndIsTriedAgainFiveSecondsLater()
    {
        var average = await ReadOnceThenHoldAsync(4.0, TimeSpan.FromMinutes(1));
        _fails = true;
        _release.SetResult();
        Assert.Equal(3.5, await average.GetAsync(CancellationToken.None));
        // The failure is logged once: the read runs in the background, so wait for it before the clock moves on.
        Assert.Equal(1, await EventsDriver.EventuallyAsync(() => Task.FromResult(_logger.Collector.Count), count => count > 0, TimeSpan.FromSeconds(5)));
        Assert.Equal(LogLevel.Warning, _logger.LatestRecord.Level);
        Assert.Equal(2, _reads);

        // Until the next try, pages get the reading in hand and start no read (nor log a failure each).
        for (var i = 0; i < 16; i++)
        {
            Assert.Equal(3.5, await average.GetAsync(CancellationToken.None));
        }
        Assert.Equal(2, _reads);

        _fails = false;
        _clock.Advance(EveryonesAverage.RetryAfterFailure);
        Assert.Equal(4.0, await EventsDriver.EventuallyAsync(() => average.GetAsync(CancellationToken.None), answer => answer == 4.0, TimeSpan.FromSeconds(5)));
        Assert.Equal(3, _reads);
        Assert.Equal(1, _logger.Collector.Count);
    }

    [Fact]
    public async Task AfterAQuietSpellOfTenMinutesPagesWaitForTheNewReading()
    {
        var average = await ReadOnceThenHoldAsync(2.5, EveryonesAverage.MaxAge);
        var page = average.GetAsync(CancellationToken.None);
        await EventsDriver.EventuallyAsync(() => Task.FromResult(_reads), reads => reads == 2, TimeSpan.FromSeconds(5));
        Assert.False(page.IsCompleted);

        _release.SetResult();
        Assert.Equal(2.5, await page);
    }

    [Fact]
    public async Task APageThatGivesUpOnTheFirstReadDoesNotStopItForTheOthers()
    {
        var average = Create();
        using var givesUp = new CancellationTokenSource();

        var impatient = average.GetAsync(givesUp.Token);
        var patient = average.GetAsync(CancellationToken.None);
        await givesUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient);

        _release.SetResult();
        Assert.Equal(3.5, await patient);
        Assert.Equal(1, _reads);
    }
}
