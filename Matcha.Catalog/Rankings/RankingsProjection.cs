using Matcha.Catalog.Movies;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;

namespace Matcha.Catalog.Rankings;

/// <summary>
/// Carries statistics changes beyond catalogdb, at most once per <see cref="RankingsOptions.RefreshInterval"/>:
/// the changed films' standings into the rankings, and one invalidation of the cached browse
/// lists (so a list lags statistics by about that interval, not by its cache life). Between
/// changes it checks Redis for the rankings' marker, and rebuilds them when it is gone or when
/// <see cref="RankingsOptions.RebuildInterval"/> has passed. It also drops the changed films' cached
/// pages a second time, one round after the consumer dropped them: a page loaded while the consumer
/// committed may have been cached with the old figures, and lives no longer than that round.
/// </summary>
internal sealed partial class RankingsProjection(
    StatisticsChanges changes, MovieRankings rankings, IServiceProvider services, IOptions<RankingsOptions> options, TimeProvider clock,
    ILogger<RankingsProjection> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pending = new HashSet<int>();
        var settling = new HashSet<int>();
        var rebuildDue = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                wait.CancelAfter(settling.Count > 0 ? options.Value.RefreshInterval : options.Value.CheckInterval);
                try
                {
                    await changes.Reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // Nothing changed for a while: a moment to check on Redis.
                }
            }
            while (changes.Reader.TryRead(out var movieId))
            {
                pending.Add(movieId);
            }

            try
            {
                IReadOnlyCollection<int> unsettled;
                if (clock.GetUtcNow() >= rebuildDue)
                {
                    unsettled = await rankings.RebuildAsync(stoppingToken);
                    rebuildDue = clock.GetUtcNow() + options.Value.RebuildInterval;
                }
                else
                {
                    // Rebuilds by itself when Redis lost the rankings.
                    unsettled = await rankings.RefreshAsync(pending, stoppingToken);
                }
                // Resolved here, not injected: a HybridCache given to this hosted service's constructor
                // turned out to be another instance than the endpoints' (tag invalidations are per instance).
                var cache = services.GetRequiredService<HybridCache>();
                if (settling.Count > 0)
                {
                    await cache.RemoveAsync(settling.Select(CacheKeys.Movie), stoppingToken);
                }
                if (pending.Count > 0)
                {
                    await cache.RemoveByTagAsync(MoviesApi.ListsTag, stoppingToken);
                }
                (settling, pending) = (pending, settling);
                pending.Clear();
                // Films another replica kept changing while they were written: again next round.
                pending.UnionWith(unsettled);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Redis or Postgres away: keep the films for the next round.
                LogRefreshFailed(logger, pending.Count, ex);
            }
            await Task.Delay(options.Value.RefreshInterval, clock, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh the rankings for {Count} film(s); retrying")]
    private static partial void LogRefreshFailed(ILogger logger, int count, Exception exception);
}
