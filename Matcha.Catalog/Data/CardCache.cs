using System.Collections.Concurrent;
using Matcha.Catalog.Movies;
using Matcha.Catalog.People;
using Microsoft.Extensions.Options;

namespace Matcha.Catalog.Data;

/// <summary>The <c>Catalog:Cards</c> settings (docs/catalog.md, "Caching").</summary>
public sealed class CardCacheOptions
{
    public const string Section = "Catalog:Cards";

    /// <summary>How long this process serves a card it read without reading it again; 0 turns the cache off.</summary>
    public double LocalSeconds { get; set; } = 5;

    /// <summary>At most this many films and this many people are kept; past it the expired go, and if that is not enough, all.</summary>
    public int MaxEntries { get; set; } = 20_000;
}

/// <summary>
/// Film and person cards this process read in the last few seconds (<see cref="CardCacheOptions.LocalSeconds"/>), so
/// that a search page, a ranking or a batch of cards for a screen is answered from memory when its cards were read
/// lately (the shelves, cached longer elsewhere, read theirs afresh). Search was the reason: the cards of a page of 20
/// films and 20 people cost Postgres 0.5–1.8 ms of CPU per search, as much as everything Catalog itself did for it
/// (docs/performance.md, "Fewer trips to Postgres").
/// </summary>
/// <remarks>
/// <para>
/// Not HybridCache: a page is 20–40 cards, and HybridCache is one key per call (its factory, its stampede
/// protection, its Redis level); here a page is 40 dictionary lookups. Redis would be a round trip per page again.
/// </para>
/// <para>
/// A card is dropped when this process learns it changed: the statistics it applies, an admin's write, and the
/// search index's catch-up from the change log, which every replica reads within <c>Search:PollInterval</c> (1 s) —
/// so another writer's new title, rating count or removal reaches every replica's cards within that bound. What the
/// change log does not carry (an average that moved without the count, wishes, comments, applied by another replica)
/// is at most <see cref="CardCacheOptions.LocalSeconds"/> old, as a film page's in-process copy is at most 10 s old.
/// A read that began before a drop is not kept (the drop leaves its time behind), so a read racing a commit cannot
/// put the old card back. With a standby (<see cref="CatalogStandby"/>) the cache is off: a read of a lagging standby
/// after the drop would put the old card back.
/// </para>
/// <para>
/// Requests that miss the same cards at once make one read of them (<see cref="ClaimFilms"/>, <see cref="CardClaim{T}"/>):
/// when a page's cards expired, every request in flight for it read them again. A drop also ends the wait for a read in
/// flight, so a request that begins after this process learned of a change reads the card itself.
/// </para>
/// </remarks>
public sealed class CardCache
{
    private readonly ConcurrentDictionary<int, Entry<MovieSummary>> _films = new();
    private readonly ConcurrentDictionary<int, Entry<PersonSummary>> _people = new();
    private readonly ConcurrentDictionary<int, CardFlight<MovieSummary>> _filmReads = new();
    private readonly ConcurrentDictionary<int, CardFlight<PersonSummary>> _personReads = new();
    private readonly TimeProvider _clock;
    private readonly long _lifetime;
    private readonly int _maxEntries;
    private long _clearedAt;

    public CardCache(IOptions<CardCacheOptions> options, CatalogStandby standby, TimeProvider clock)
    {
        _clock = clock;
        _lifetime = (long)(options.Value.LocalSeconds * clock.TimestampFrequency);
        _maxEntries = options.Value.MaxEntries;
        Enabled = _lifetime > 0 && !standby.Enabled;
        _clearedAt = clock.GetTimestamp();
    }

    /// <summary>Off with a standby, or with <c>Catalog:Cards:LocalSeconds=0</c>: every card is read.</summary>
    public bool Enabled { get; }

    /// <summary>The time a read starts, for <see cref="KeepFilms"/> and <see cref="KeepPeople"/>.</summary>
    public long Now() => _clock.GetTimestamp();

    public bool TryGetFilm(int id, DateOnly today, out MovieSummary film) => TryGet(_films, id, today, out film);

    public bool TryGetPerson(int id, out PersonSummary person) => TryGet(_people, id, default, out person);

    /// <summary>Keeps films read by a read that began at <paramref name="readAt"/>, unless a drop came after it began.</summary>
    public void KeepFilms(IEnumerable<MovieSummary> films, DateOnly today, long readAt) => Keep(_films, films.Select(f => (f.Id, f)), today, readAt);

    public void KeepPeople(IEnumerable<PersonSummary> people, long readAt) => Keep(_people, people.Select(p => (p.Id, p)), default, readAt);

    /// <summary>The films of <paramref name="ids"/> (all missed here) that this request reads, and those it waits for another to read.</summary>
    public CardClaim<MovieSummary> ClaimFilms(IEnumerable<int> ids, DateOnly today) => Enabled ? new(_filmReads, ids, today) : new(ids);

    /// <summary>The people of <paramref name="ids"/> (all missed here) that this request reads, and those it waits for another to read.</summary>
    public CardClaim<PersonSummary> ClaimPeople(IEnumerable<int> ids) => Enabled ? new(_personReads, ids, default) : new(ids);

    public void DropFilms(IEnumerable<int> ids) => Drop(_films, _filmReads, ids);

    public void DropPeople(IEnumerable<int> ids) => Drop(_people, _personReads, ids);

    /// <summary>Everything goes (the search index read every film and person again: a bulk write happened).</summary>
    public void Clear()
    {
        Volatile.Write(ref _clearedAt, _clock.GetTimestamp());
        _films.Clear();
        _people.Clear();
        _filmReads.Clear();
        _personReads.Clear();
    }

    private bool TryGet<T>(ConcurrentDictionary<int, Entry<T>> cards, int id, DateOnly today, out T card) where T : class
    {
        if (Enabled && cards.TryGetValue(id, out var entry) && entry.Card is not null && entry.Day == today
            && _clock.GetTimestamp() - entry.At < _lifetime)
        {
            card = entry.Card;
            return true;
        }
        card = null!;
        return false;
    }

    private void Keep<T>(ConcurrentDictionary<int, Entry<T>> cards, IEnumerable<(int Id, T Card)> read, DateOnly today, long readAt) where T : class
    {
        if (!Enabled || readAt < Volatile.Read(ref _clearedAt))
        {
            return;
        }
        if (cards.Count >= _maxEntries)
        {
            Trim(cards);
        }
        foreach (var (id, card) in read)
        {
            var entry = new Entry<T>(card, readAt, today);
            // A drop at or after the time the read began, or a card read after it, wins over what this read found.
            cards.AddOrUpdate(id, entry, (_, old) => old.At > readAt || (old.At == readAt && old.Card is null) ? old : entry);
        }
    }

    private void Drop<T>(ConcurrentDictionary<int, Entry<T>> cards, ConcurrentDictionary<int, CardFlight<T>> reads, IEnumerable<int> ids) where T : class
    {
        if (!Enabled)
        {
            return;
        }
        var now = _clock.GetTimestamp();
        foreach (var id in ids)
        {
            cards[id] = new Entry<T>(null, now, default);
            // A read in flight began before the change: requests from now on read the card again rather than wait for it.
            reads.TryRemove(id, out _);
        }
    }

    private void Trim<T>(ConcurrentDictionary<int, Entry<T>> cards) where T : class
    {
        var now = _clock.GetTimestamp();
        foreach (var (id, entry) in cards)
        {
            if (now - entry.At >= _lifetime)
            {
                cards.TryRemove(new KeyValuePair<int, Entry<T>>(id, entry));
            }
        }
        if (cards.Count >= _maxEntries)
        {
            // Live entries only, at this size: drop them all rather than rank them. Drops still in their lifetime go
            // too, so reads that began before now are not kept.
            Volatile.Write(ref _clearedAt, now);
            cards.Clear();
        }
    }

    private readonly record struct Entry<T>(T? Card, long At, DateOnly Day) where T : class;
}
