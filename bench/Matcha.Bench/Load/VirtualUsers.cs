using System.Collections.Concurrent;
using System.Net.Http.Json;
using Matcha.Ratings.Wishlist;
using Matcha.Testing;

namespace Matcha.Bench.Load;

internal enum WriteKind { Rating, Wish, Comment }

/// <summary>One write a virtual user makes: a score, a wishlist state or a comment on a film.</summary>
internal sealed record Write(VirtualUser User, WriteKind Kind, int MovieId, decimal Score, WishState State);

/// <summary>What a write left behind: the aggregate and version of its event (null when it changed nothing), or the failure.</summary>
internal sealed record Written(string? AggregateId, long Version, string? Error = null);

/// <summary>Something that performs writes: the gateway (as users do) or a bare Npgsql client (the limit).</summary>
internal interface IWriteTarget
{
    string Name { get; }

    Task<Written> WriteAsync(Write write, CancellationToken cancellationToken);
}

/// <summary>A signed-in user; each comments on films in its own order, so no film gets a second comment from it.</summary>
internal sealed class VirtualUser(int index, Guid id, Tokens tokens)
{
    private int _comments;
    private Tokens _tokens = tokens;
    private DateTime _signedInAt = DateTime.UtcNow;

    public Guid Id => id;

    public string AccessToken => _tokens.AccessToken;

    /// <summary>A new pair from the refresh token when the access token has lived a quarter of its life: a soak outlasts it.</summary>
    public async Task RefreshIfAgedAsync(HttpClient gateway)
    {
        if (DateTime.UtcNow - _signedInAt < TimeSpan.FromSeconds(_tokens.ExpiresIn / 4.0))
        {
            return;
        }
        using var response = await gateway.PostAsJsonAsync("/api/accounts/refresh", new { refreshToken = _tokens.RefreshToken });
        response.EnsureSuccessStatusCode();
        _tokens = (await response.Content.ReadFromJsonAsync<Tokens>())!;
        _signedInAt = DateTime.UtcNow;
    }

    public int NextCommentFilm(int[] films) => films[(index * 37 + Interlocked.Increment(ref _comments)) % films.Length];
}

/// <summary>The virtual users and the write mix: ratings 70 %, wishlist 20 %, comments 10 %; one request at a time per user.</summary>
internal sealed class VirtualUsers(IReadOnlyList<VirtualUser> users, int[] films) : IDisposable
{
    private static readonly decimal[] Scores = [.. Enumerable.Range(1, 10).Select(i => i / 2m)];
    private static readonly WishState[] States = Enum.GetValues<WishState>();
    private readonly ConcurrentQueue<VirtualUser> _idle = new(users.OrderBy(_ => Random.Shared.Next()));

    /// <summary>Counts <see cref="_idle"/>, so that a write waits for a user without polling.</summary>
    private readonly SemaphoreSlim _idleCount = new(users.Count);

    public int Count => users.Count;

    public IReadOnlyList<VirtualUser> All => users;

    public int[] Films => films;

    /// <summary>Signs <paramref name="count"/> users up and in through the gateway, a few at a time.</summary>
    public static async Task<VirtualUsers> SignUpAsync(HttpClient gateway, int count, int[] films)
    {
        var users = new VirtualUser[count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var (tokens, id) = await gateway.SignUpAndLoginAsync();
                users[i] = new VirtualUser(i, id, tokens);
            }
        }));
        return new VirtualUsers(users, films);
    }

    /// <summary>Before a phase (no write in flight): fresh access tokens for users whose token is a quarter spent.</summary>
    public async Task RefreshTokensAsync(HttpClient gateway)
    {
        foreach (var user in users)
        {
            await user.RefreshIfAgedAsync(gateway);
        }
    }

    /// <summary>An idle user's next write, drawn from the mix; give the user back with <see cref="Release"/>.</summary>
    public bool TryNext(out Write write)
    {
        if (!_idleCount.Wait(0))
        {
            write = null!;
            return false;
        }
        write = NextOf(Dequeue());
        return true;
    }

    /// <summary>
    /// The same, waiting for a user to be released while every user has a write in flight. A waiting write costs nothing
    /// until then: polling every millisecond made the benchmark's own client the busiest process of a saturated run.
    /// </summary>
    public async Task<Write> NextAsync()
    {
        await _idleCount.WaitAsync();
        return NextOf(Dequeue());
    }

    public void Release(Write write)
    {
        _idle.Enqueue(write.User);
        _idleCount.Release();
    }

    public void Dispose() => _idleCount.Dispose();

    /// <summary>Counted before it is taken, so it is there (<see cref="Release"/> enqueues before it counts).</summary>
    private VirtualUser Dequeue() => _idle.TryDequeue(out var user) ? user : throw new InvalidOperationException("An idle user was counted but not queued.");

    private Write NextOf(VirtualUser user)
    {
        var film = films[Random.Shared.Next(films.Length)];
        var roll = Random.Shared.Next(100);
        return roll switch
        {
            < 70 => new Write(user, WriteKind.Rating, film, Scores[Random.Shared.Next(Scores.Length)], default),
            < 90 => new Write(user, WriteKind.Wish, film, 0, States[Random.Shared.Next(States.Length)]),
            _ => new Write(user, WriteKind.Comment, user.NextCommentFilm(films), 0, default),
        };
    }
}
