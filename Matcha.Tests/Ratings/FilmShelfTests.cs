using Matcha.Ratings.Recommendations.Serving;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Matcha.Tests.Ratings;

/// <summary>
/// The film list recommendations rank: read once however many requests arrive together, read
/// again in the background when it expires while requests keep the one in hand, kept as the same
/// list when nothing changed (the rankings kept under it stay valid), and read afresh at once after
/// a film change on this replica. Fast: the read is a function the test controls.
/// </summary>
public sealed class FilmShelfTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _clock = new();
    private readonly Queue<TaskCompletionSource<IReadOnlyList<ShelfFilm>>> _reads = new();
    private int _readCount;

    private FilmShelf Shelf() => new(_ =>
    {
        Interlocked.Increment(ref _readCount);
        var read = new TaskCompletionSource<IReadOnlyList<ShelfFilm>>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_reads)
        {
            _reads.Enqueue(read);
        }
        return read.Task;
    }, Lifetime, _clock, NullLogger.Instance);

    private static ShelfFilm[] Films(params int[] ids) => [.. ids.Select(id => new ShelfFilm(id, ["Drama"], new DateOnly(2020, 1, 1), 2020))];

    private async Task<TaskCompletionSource<IReadOnlyList<ShelfFilm>>> NextReadAsync()
    {
        for (var i = 0; i < 200; i++)
        {
            lock (_reads)
            {
                if (_reads.TryDequeue(out var read))
                {
                    return read;
                }
            }
            await Task.Delay(10);
        }
        throw new TimeoutException("The shelf did not read the film list.");
    }

    [Fact]
    public async Task SixteenFirstRequestsWaitForOneRead()
    {
        var shelf = Shelf();
        var requests = Enumerable.Range(0, 16).Select(_ => shelf.AllAsync(CancellationToken.None)).ToArray();
        (await NextReadAsync()).SetResult(Films(1, 2, 3));

        var lists = await Task.WhenAll(requests);

        Assert.Equal(1, _readCount);
        Assert.All(lists, list => Assert.Equal([1, 2, 3], list.Select(f => f.Id)));
    }

    [Fact]
    public async Task AnExpiredListIsServedAtOnceWhileItIsReadAgainAndTheNewOneFollows()
    {
        var shelf = Shelf();
        var first = shelf.AllAsync(CancellationToken.None);
        (await NextReadAsync()).SetResult(Films(1, 2));
        var before = await first;

        _clock.Advance(Lifetime);
        var whileReading = shelf.AllAsync(CancellationToken.None);
        Assert.True(whileReading.IsCompletedSuccessfully, "a request waited for the film list to be read again");
        Assert.Same(before, await whileReading);
        var again = await NextReadAsync();
        Assert.Same(before, await shelf.AllAsync(CancellationToken.None));
        Assert.Equal(2, _readCount);

        again.SetResult(Films(1, 2, 3));
        var after = await EventuallyAsync(shelf, list => list.Count == 3);
        Assert.Equal([1, 2, 3], after.Select(f => f.Id));
        Assert.Equal(2, _readCount);
    }

    [Fact]
    public async Task AListReadAgainWithTheSameFilmsStaysTheSameListSoRankingsKeptUnderItStay()
    {
        var shelf = Shelf();
        var first = shelf.AllAsync(CancellationToken.None);
        (await NextReadAsync()).SetResult(Films(1, 2, 3));
        var before = await first;

        _clock.Advance(Lifetime);
        await shelf.AllAsync(CancellationToken.None);
        var again = shelf.PendingRead!;
        (await NextReadAsync()).SetResult(Films(1, 2, 3));
        await again;

        Assert.Null(shelf.PendingRead);
        Assert.Same(before, await shelf.AllAsync(CancellationToken.None));
        // The next expiry is counted from the second read.
        _clock.Advance(Lifetime - TimeSpan.FromSeconds(1));
        Assert.Same(before, await shelf.AllAsync(CancellationToken.None));
        Assert.Equal(2, _readCount);
    }

    [Fact]
    public async Task AfterAFilmChangeTheNextRequestWaitsForAListReadAfterIt()
    {
        var shelf = Shelf();
        var first = shelf.AllAsync(CancellationToken.None);
        (await NextReadAsync()).SetResult(Films(1, 2));
        await first;

        // A background read that began before the change must not become the list.
        _clock.Advance(Lifetime);
        await shelf.AllAsync(CancellationToken.None);
        var startedBefore = await NextReadAsync();
        shelf.Invalidate();

        var afterChange = shelf.AllAsync(CancellationToken.None);
        var readAfter = await NextReadAsync();
        startedBefore.SetResult(Films(1, 2));
        await Task.Delay(50);
        Assert.False(afterChange.IsCompleted, "a request after the change got a list read before it");
        readAfter.SetResult(Films(1, 2, 4));

        Assert.Equal([1, 2, 4], (await afterChange).Select(f => f.Id));
        Assert.Equal([1, 2, 4], (await shelf.AllAsync(CancellationToken.None)).Select(f => f.Id));
    }

    [Fact]
    public async Task AFailedReadAgainKeepsTheListInHandAndIsTriedAgainAfterAPauseNotByEveryRequest()
    {
        var shelf = Shelf();
        var first = shelf.AllAsync(CancellationToken.None);
        (await NextReadAsync()).SetResult(Films(1, 2));
        var before = await first;

        _clock.Advance(Lifetime);
        await shelf.AllAsync(CancellationToken.None);
        var failing = shelf.PendingRead!;
        (await NextReadAsync()).SetException(new InvalidOperationException("Postgres is away"));
        await Task.WhenAny(failing);
        await WaitUntilAsync(() => shelf.PendingRead is null);

        // Requests before the pause is over get the list in hand and start no read.
        _clock.Advance(FilmShelf.RetryAfterFailure - TimeSpan.FromSeconds(1));
        for (var i = 0; i < 20; i++)
        {
            Assert.Same(before, await shelf.AllAsync(CancellationToken.None));
        }
        Assert.Null(shelf.PendingRead);
        Assert.Equal(2, _readCount);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Same(before, await shelf.AllAsync(CancellationToken.None));
        (await NextReadAsync()).SetResult(Films(1, 2, 5));
        Assert.Equal([1, 2, 5], (await EventuallyAsync(shelf, list => list.Count == 3)).Select(f => f.Id));
        Assert.Equal(3, _readCount);
    }

    [Fact]
    public async Task AFailedFirstReadFailsItsRequestsAndTheNextRequestReadsAgain()
    {
        var shelf = Shelf();
        var first = shelf.AllAsync(CancellationToken.None);
        (await NextReadAsync()).SetException(new InvalidOperationException("Postgres is away"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => first);

        var second = shelf.AllAsync(CancellationToken.None);
        (await NextReadAsync()).SetResult(Films(7));
        Assert.Equal([7], (await second).Select(f => f.Id));
    }

    [Fact]
    public async Task KnowsTheFilmsOfTheListInWhateverOrderTheyWereReadAndForgetsARemovedOneAfterAChange()
    {
        var shelf = Shelf();
        var known = shelf.KnownAsync([1, 2, 3, 40, 99, 100_000], CancellationToken.None);
        (await NextReadAsync()).SetResult(Films(99, 3, 40, 1, 7));

        Assert.Equal([1, 3, 40, 99], (await known).Order());

        shelf.Invalidate();   // film 40 removed on this replica
        known = shelf.KnownAsync([1, 40, 7], CancellationToken.None);
        (await NextReadAsync()).SetResult(Films(7, 1, 99, 3));
        Assert.Equal([1, 7], (await known).Order());
        Assert.Empty(await shelf.KnownAsync([2, 4, 100], CancellationToken.None));
    }

    [Fact]
    public async Task AnExpiredListWhoseStampIsUnchangedIsKeptWithoutReadingTheFilmsAgain()
    {
        var stamp = new FilmListStamp(3, 7);
        var (stampReads, filmReads) = (0, 0);
        var shelf = new FilmShelf(
            _ => { Interlocked.Increment(ref filmReads); return Task.FromResult(new FilmListRead(Films(1, 2, 3), new FilmListStamp(3, 7))); },
            _ => { Interlocked.Increment(ref stampReads); return Task.FromResult(stamp); },
            Lifetime, _clock, NullLogger.Instance);
        var before = await shelf.AllAsync(CancellationToken.None);

        _clock.Advance(Lifetime);
        await shelf.AllAsync(CancellationToken.None);
        await WaitUntilAsync(() => shelf.PendingRead is null);

        Assert.Equal((1, 1), (stampReads, filmReads));
        Assert.Same(before, await shelf.AllAsync(CancellationToken.None));
        // The list's lifetime starts again from the check.
        _clock.Advance(Lifetime - TimeSpan.FromSeconds(1));
        await shelf.AllAsync(CancellationToken.None);
        Assert.Equal((1, 1), (stampReads, filmReads));

        // A film changed (its version rose): the next check reads the films.
        stamp = new FilmListStamp(3, 8);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await shelf.AllAsync(CancellationToken.None);
        await WaitUntilAsync(() => shelf.PendingRead is null);
        Assert.Equal((2, 2), (stampReads, filmReads));
    }

    [Fact]
    public async Task AListWhoseStampCannotBeReadStaysInHandAndIsCheckedAgainAfterAPause()
    {
        var failing = true;
        var (filmReads, stampReads) = (0, 0);
        var shelf = new FilmShelf(
            _ => { Interlocked.Increment(ref filmReads); return Task.FromResult(new FilmListRead(Films(1, 2), new FilmListStamp(2, 2))); },
            _ =>
            {
                Interlocked.Increment(ref stampReads);
                return failing ? Task.FromException<FilmListStamp>(new InvalidOperationException("Postgres is away")) : Task.FromResult(new FilmListStamp(2, 2));
            },
            Lifetime, _clock, NullLogger.Instance);
        var before = await shelf.AllAsync(CancellationToken.None);

        _clock.Advance(Lifetime);
        Assert.Same(before, await shelf.AllAsync(CancellationToken.None));
        await WaitUntilAsync(() => shelf.PendingRead is null);
        for (var i = 0; i < 20; i++)
        {
            Assert.Same(before, await shelf.AllAsync(CancellationToken.None));
        }
        Assert.Equal((1, 1), (filmReads, stampReads));

        failing = false;
        _clock.Advance(FilmShelf.RetryAfterFailure);
        Assert.Same(before, await shelf.AllAsync(CancellationToken.None));
        await WaitUntilAsync(() => shelf.PendingRead is null);
        Assert.Same(before, await shelf.AllAsync(CancellationToken.None));
        Assert.Equal((1, 2), (filmReads, stampReads));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }
    }

    private static async Task<IReadOnlyList<ShelfFilm>> EventuallyAsync(FilmShelf shelf, Func<IReadOnlyList<ShelfFilm>, bool> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            var list = await shelf.AllAsync(CancellationToken.None);
            if (condition(list))
            {
                return list;
            }
            await Task.Delay(10);
        }
        throw new TimeoutException("The new film list was never served.");
    }
}
