using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Matcha.Catalog.People;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Matcha.Tests.Catalog;

/// <summary>
/// The cards Catalog keeps for a few seconds (search pages, screens' batches): served while fresh, gone after their
/// lifetime or on the day a film's release status may change, gone when this process learns they changed — and never
/// put back by a read that began before it learned. Fast: no Postgres, the clock is the test's.
/// </summary>
public sealed class CardCacheTests
{
    private static readonly DateOnly Today = new(2026, 12, 2);
    private readonly FakeTimeProvider _clock = new();

    private CardCache Cache(double seconds = 5, int maxEntries = 100, bool standby = false) =>
        new(Options.Create(new CardCacheOptions { LocalSeconds = seconds, MaxEntries = maxEntries }), Standby(standby), _clock);

    private static CatalogStandby Standby(bool enabled) => new(
        enabled ? new ThrowingFactory() : null, new ServiceCollection().BuildServiceProvider(), new CatalogStandbyOptions(), NullLogger<CatalogStandby>.Instance);

    private static MovieSummary Film(int id, int ratings) => new(
        id, new Dictionary<string, string> { ["en"] = $"Film {id}" }, $"Film {id}", 2020, null, true, ["Drama"], ["KR"], null,
        new MovieStats(ratings > 0 ? 4.0 : null, ratings, new int[10], 0, 0), 0);

    [Fact]
    public void ACardReadLatelyIsServedFromMemoryUntilItsLifetimeEnds()
    {
        var cards = Cache(seconds: 5);
        cards.KeepFilms([Film(1, ratings: 3)], Today, cards.Now());
        cards.KeepPeople([new PersonSummary(7, new Dictionary<string, string> { ["ko"] = "봉준호" })], cards.Now());

        _clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.True(cards.TryGetFilm(1, Today, out var film));
        Assert.Equal(3, film.Stats.Count);
        Assert.True(cards.TryGetPerson(7, out var person));
        Assert.Equal("봉준호", person.Names["ko"]);

        _clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.False(cards.TryGetFilm(1, Today, out _));
        Assert.False(cards.TryGetPerson(7, out _));
    }

    [Fact]
    public void AFilmIsReadAgainOnAnotherDayBecauseWhetherItIsReleasedMayHaveChanged()
    {
        var cards = Cache();
        cards.KeepFilms([Film(1, 0)], Today, cards.Now());

        Assert.False(cards.TryGetFilm(1, Today.AddDays(1), out _));
    }

    [Fact]
    public void ADroppedCardIsReadAgainAndAReadThatBeganBeforeTheDropIsNotKept()
    {
        var cards = Cache();
        cards.KeepFilms([Film(1, ratings: 0), Film(2, ratings: 0)], Today, cards.Now());

        // A read starts, the statistics change and are applied (the drop), then the read's old figures arrive.
        var slowRead = cards.Now();
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        cards.DropFilms([1]);
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        cards.KeepFilms([Film(1, ratings: 0)], Today, slowRead);

        Assert.False(cards.TryGetFilm(1, Today, out _));
        Assert.True(cards.TryGetFilm(2, Today, out _));

        // A read that began after the drop is kept.
        cards.KeepFilms([Film(1, ratings: 1)], Today, cards.Now());
        Assert.True(cards.TryGetFilm(1, Today, out var fresh));
        Assert.Equal(1, fresh.Stats.Count);
    }

    [Fact]
    public void AnOlderReadDoesNotReplaceANewerOne()
    {
        var cards = Cache();
        var older = cards.Now();
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        cards.KeepFilms([Film(1, ratings: 2)], Today, cards.Now());
        cards.KeepFilms([Film(1, ratings: 1)], Today, older);

        Assert.True(cards.TryGetFilm(1, Today, out var film));
        Assert.Equal(2, film.Stats.Count);
    }

    [Fact]
    public void ClearingDropsEverythingAndRefusesReadsThatBeganBeforeIt()
    {
        var cards = Cache();
        cards.KeepFilms([Film(1, 0)], Today, cards.Now());
        var slowRead = cards.Now();
        _clock.Advance(TimeSpan.FromMilliseconds(10));

        cards.Clear();
        cards.KeepFilms([Film(2, 0)], Today, slowRead);

        Assert.False(cards.TryGetFilm(1, Today, out _));
        Assert.False(cards.TryGetFilm(2, Today, out _));
    }

    [Fact]
    public void ItHoldsAtMostItsLimitDroppingTheExpiredFirst()
    {
        var cards = Cache(seconds: 5, maxEntries: 10);
        cards.KeepFilms([.. Enumerable.Range(1, 8).Select(id => Film(id, 0))], Today, cards.Now());
        _clock.Advance(TimeSpan.FromSeconds(6));
        cards.KeepFilms([.. Enumerable.Range(11, 4).Select(id => Film(id, 0))], Today, cards.Now());
        // The first eight had expired: trimming them made room, and the four new ones stay.
        cards.KeepFilms([Film(21, 0)], Today, cards.Now());
        foreach (var id in (int[])[11, 12, 13, 14, 21])
        {
            Assert.True(cards.TryGetFilm(id, Today, out _));
        }

        // Full of live cards: all go rather than grow past the limit.
        cards.KeepFilms([.. Enumerable.Range(31, 6).Select(id => Film(id, 0))], Today, cards.Now());
        cards.KeepFilms([Film(41, 0)], Today, cards.Now());
        Assert.False(cards.TryGetFilm(11, Today, out _));
        Assert.True(cards.TryGetFilm(41, Today, out _));
    }

    [Fact]
    public void WithAStandbyOrNoLifetimeEveryCardIsRead()
    {
        foreach (var cards in new[] { Cache(standby: true), Cache(seconds: 0) })
        {
            Assert.False(cards.Enabled);
            cards.KeepFilms([Film(1, 0)], Today, cards.Now());
            Assert.False(cards.TryGetFilm(1, Today, out _));
        }
    }

    [Fact]
    public async Task RequestsThatMissTheSameCardsAtOnceMakeOneReadOfThem()
    {
        var cards = Cache();
        using var first = cards.ClaimFilms([1, 2], Today);
        using var second = cards.ClaimFilms([2, 3], Today);

        Assert.Equal([1, 2], first.Mine);
        Assert.Equal([3], second.Mine);
        var found = new Dictionary<int, MovieSummary>();
        var waiting = second.JoinAsync(found, CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        first.Complete(new Dictionary<int, MovieSummary> { [1] = Film(1, ratings: 1), [2] = Film(2, ratings: 2) });
        Assert.Empty(await waiting);
        Assert.Equal(2, found[2].Stats.Count);
        Assert.DoesNotContain(1, found.Keys);

        // The read is over: the next request that misses film 2 reads it.
        using var third = cards.ClaimFilms([2], Today);
        Assert.Equal([2], third.Mine);
    }

    [Fact]
    public async Task ACardTheReadDidNotFindIsNoneForThoseWhoWaitedToo()
    {
        var cards = Cache();
        using var first = cards.ClaimFilms([9], Today);
        using var second = cards.ClaimFilms([9], Today);
        Assert.Empty(second.Mine);

        first.Complete(new Dictionary<int, MovieSummary>());
        var found = new Dictionary<int, MovieSummary>();
        Assert.Empty(await second.JoinAsync(found, CancellationToken.None));
        Assert.Empty(found);
    }

    [Fact]
    public async Task WhenTheReadFailsOrItsRequestGivesUpThoseWhoWaitedReadTheCardsThemselves()
    {
        var cards = Cache();
        var first = cards.ClaimFilms([1, 2], Today);
        using var second = cards.ClaimFilms([2], Today);
        var waiting = second.JoinAsync(new Dictionary<int, MovieSummary>(), CancellationToken.None);

        first.Dispose();   // its read threw, or was cancelled, before it completed the claim

        Assert.Equal([2], await waiting);
        using var third = cards.ClaimFilms([1], Today);
        Assert.Equal([1], third.Mine);
    }

    [Fact]
    public void AfterADropARequestReadsTheCardItselfRatherThanWaitForAReadThatBeganBeforeIt()
    {
        var cards = Cache();
        using var before = cards.ClaimFilms([1], Today);
        cards.DropFilms([1]);

        using var after = cards.ClaimFilms([1], Today);
        Assert.Equal([1], after.Mine);

        // The older read ending does not end the newer one's claim.
        before.Complete(new Dictionary<int, MovieSummary> { [1] = Film(1, ratings: 1) });
        using var next = cards.ClaimFilms([1], Today);
        Assert.Empty(next.Mine);
    }

    [Fact]
    public void AReadForAnotherDayIsNotWaitedFor()
    {
        var cards = Cache();
        using var yesterday = cards.ClaimFilms([1], Today.AddDays(-1));
        using var today = cards.ClaimFilms([1], Today);
        Assert.Equal([1], today.Mine);
    }

    [Fact]
    public void WithTheCacheOffEveryRequestReadsAllItMissed()
    {
        var cards = Cache(seconds: 0);
        using var first = cards.ClaimFilms([1], Today);
        using var second = cards.ClaimFilms([1], Today);
        Assert.Equal([1], second.Mine);
    }

    private sealed class ThrowingFactory : Microsoft.EntityFrameworkCore.IDbContextFactory<CatalogDbContext>
    {
        public CatalogDbContext CreateDbContext() => throw new InvalidOperationException("not in this test");
    }
}
