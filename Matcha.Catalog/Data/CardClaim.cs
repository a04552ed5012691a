using System.Collections.Concurrent;

namespace Matcha.Catalog.Data;

/// <summary>
/// The cards one request must read from Postgres, split against the reads other requests have in flight: the cards
/// another request is reading now are waited for (<see cref="JoinAsync"/>), the rest this request reads itself
/// (<see cref="Mine"/>) and hands to those who wait (<see cref="Complete"/>). So requests that miss the same cards at
/// once — every screen in flight when a page's cards expired — make one read of them, not one each (docs/performance.md,
/// "Cards read once however many miss them together"). Disposing a claim not completed (the read failed, or its
/// request gave up) releases its cards: those who waited read them for themselves.
/// </summary>
public sealed class CardClaim<T> : IDisposable where T : class
{
    /// <summary>The flights of a claim of nothing: it claims and joins none, so it never touches them.</summary>
    private static readonly ConcurrentDictionary<int, CardFlight<T>> NoFlights = new();

    private readonly ConcurrentDictionary<int, CardFlight<T>> _flights;
    private readonly List<(int Id, CardFlight<T> Flight)> _claimed = [];
    private readonly List<(int Id, Task<T?> Card)> _joined = [];

    internal CardClaim(ConcurrentDictionary<int, CardFlight<T>> flights, IEnumerable<int> ids, DateOnly day)
    {
        _flights = flights;
        foreach (var id in ids)
        {
            var mine = new CardFlight<T>(day);
            var flight = flights.GetOrAdd(id, mine);
            if (ReferenceEquals(flight, mine))
            {
                _claimed.Add((id, mine));
            }
            else if (flight.Day == day)
            {
                _joined.Add((id, flight.Card.Task));
            }
            else
            {
                // Another day's read (around midnight a film's release status may change): read it, claim nothing.
                _claimed.Add((id, new CardFlight<T>(day)));
            }
        }
        Mine = [.. _claimed.Select(claim => claim.Id)];
    }

    /// <summary>A claim of nothing: the cache is off, so every request reads all it misses.</summary>
    internal CardClaim(IEnumerable<int> ids)
    {
        _flights = NoFlights;
        Mine = [.. ids];
    }

    /// <summary>The cards this request reads itself.</summary>
    public IReadOnlyList<int> Mine { get; }

    /// <summary>Hands the cards this request read (by id; a card asked but not found is none) to those waiting for them.</summary>
    public void Complete(IReadOnlyDictionary<int, T> read)
    {
        foreach (var (id, flight) in _claimed)
        {
            flight.Card.TrySetResult(read.GetValueOrDefault(id));
            _flights.TryRemove(new KeyValuePair<int, CardFlight<T>>(id, flight));
        }
    }

    /// <summary>
    /// Waits for the cards other requests are reading and adds those found to <paramref name="cards"/>; returns the ids
    /// whose read failed or was given up, for this request to read itself.
    /// </summary>
    public async Task<List<int>> JoinAsync(IDictionary<int, T> cards, CancellationToken cancellationToken)
    {
        var unread = new List<int>();
        foreach (var (id, card) in _joined)
        {
            try
            {
                if (await card.WaitAsync(cancellationToken) is { } found)
                {
                    cards[id] = found;
                }
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                unread.Add(id);
            }
        }
        return unread;
    }

    public void Dispose()
    {
        foreach (var (id, flight) in _claimed)
        {
            if (flight.Card.TrySetCanceled())
            {
                _flights.TryRemove(new KeyValuePair<int, CardFlight<T>>(id, flight));
            }
        }
    }
}

/// <summary>One card's read in flight, for one day (a film card's release status is the day's).</summary>
public sealed class CardFlight<T>(DateOnly day) where T : class
{
    public DateOnly Day { get; } = day;

    public TaskCompletionSource<T?> Card { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
