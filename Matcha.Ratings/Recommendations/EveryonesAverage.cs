using Matcha.Ratings.Data;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Ratings.Recommendations;

/// <summary>
/// The average of every rating, which taste analysis shows beside the caller's own: an average over
/// every rating changes slowly, so a reading up to <see cref="RefreshAfter"/> old is exact enough.
/// Once there is a reading, no request waits for the next one: the first request after it is due
/// starts one read in the background and every request goes on with the reading in hand until it
/// lands. Only a request that finds no reading, or one older than <see cref="MaxAge"/> (after a
/// quiet spell), waits, with everyone who asks meanwhile, for the one read.
/// </summary>
/// <remarks>
/// The read is a scan of every rating (27 ms of Postgres a read in the screens benchmark). In
/// <c>IMemoryCache</c> with a one-minute expiry, every "my page" in flight when it
/// expired ran it: five at once in one pass of the screens benchmark (docs/performance.md,
/// "The shelves in the prior's order, and everyone's average read once").
/// </remarks>
internal sealed partial class EveryonesAverage
{
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromMinutes(1);

    /// <summary>A reading older than this is not answered: the request waits for the new one.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(10);

    /// <summary>
    /// After a failed read, the reading in hand is answered this long before the next try, rather than every request
    /// starting a read that fails and logging it (as <see cref="Serving.FilmShelf"/> does).
    /// </summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);

    private readonly Func<CancellationToken, Task<double?>> _read;
    private readonly TimeProvider _clock;
    private readonly ILogger<EveryonesAverage> _logger;
    private readonly Lock _gate = new();
    private Reading? _current;
    private Task<Reading>? _reading;
    private DateTimeOffset _retryAt;

    /// <summary>Reads with a DbContext of its own: a read outlives the request that started it.</summary>
    public EveryonesAverage(IServiceScopeFactory scopes, TimeProvider clock, ILogger<EveryonesAverage> logger)
        : this(ct => ReadAsync(scopes, ct), clock, logger)
    {
    }

    /// <summary>An average whose every read is <paramref name="read"/> (tests hold and fail it).</summary>
    internal EveryonesAverage(Func<CancellationToken, Task<double?>> read, TimeProvider clock, ILogger<EveryonesAverage> logger)
    {
        (_read, _clock, _logger) = (read, clock, logger);
    }

    public async Task<double?> GetAsync(CancellationToken cancellationToken)
    {
        Task<Reading> reading;
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            var age = _current is { } current ? now - current.At : TimeSpan.MaxValue;
            if (age < RefreshAfter || (now < _retryAt && age < MaxAge))
            {
                return _current!.Average;
            }
            reading = _reading ??= Task.Run(ReadOnceAsync, CancellationToken.None);
            if (age < MaxAge)
            {
                return _current!.Average;
            }
        }
        return (await reading.WaitAsync(cancellationToken)).Average;
    }

    private async Task<Reading> ReadOnceAsync()
    {
        try
        {
            var reading = new Reading(await _read(CancellationToken.None), _clock.GetUtcNow());
            lock (_gate)
            {
                (_current, _reading) = (reading, null);
            }
            return reading;
        }
        catch (Exception ex)
        {
            // The reading in hand stays, and is answered until the next try. Logged once the next try is set, so a
            // failure in the log is one the pages already know of.
            lock (_gate)
            {
                (_retryAt, _reading) = (_clock.GetUtcNow() + RetryAfterFailure, null);
            }
            LogReadFailed(ex);
            throw;
        }
    }

    private static async Task<double?> ReadAsync(IServiceScopeFactory scopes, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RatingsDbContext>();
        return await db.Ratings.Where(r => r.Score != null && r.RejectedReason == null).AverageAsync(r => (double?)r.Score, cancellationToken);
    }

    private sealed record Reading(double? Average, DateTimeOffset At);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the average of every rating failed; the last reading is kept.")]
    private partial void LogReadFailed(Exception ex);
}
