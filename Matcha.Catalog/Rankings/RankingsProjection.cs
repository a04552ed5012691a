using Matcha.Catalog.Movies;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;

namespace Matcha.Catalog.Rankings;

/// <summary>
/// Carries statistics changes beyond catalogdb, at most once per <see cref="RankingsOptions.RefreshInterval"/>:
/// the changed films' standings into the rankings, and one invalidation of the cached browse
/// lists (so a list lags statistics by about that interval, not by its cache life). Between
/// changes it checks Redis for the rankings' marker, and rebuilds them when it is gone or when
/// <see cref="RankingsOptions.RebuildInterval"/> has passed.
/// </summary>
internal sealed partial class RankingsProjection(
    StatisticsChanges changes, MovieRankings rankings, IServiceProvider services, IOptions<RankingsOptions> options, TimeProvider clock,
    ILogger<RankingsProjection> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pending = new HashSet<int>();
        var rebuildDue = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                wait.CancelAfter(options.Value.CheckInterval);
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
                if (clock.GetUtcNow() >= rebuildDue)
                {
                    await rankings.RebuildAsync(stoppingToken);
                    rebuildDue = clock.GetUtcNow() + options.Value.RebuildInterval;
                }
                else
                {
                    // Rebuilds by itself when Redis lost the rankings.
                    await rankings.RefreshAsync(pending, stoppingToken);
                }
                if (pending.Count > 0)
                {
                    // Resolved here, not injected: a HybridCache given to this hosted service's constructor
                    // turned out to be another instance than the endpoints' (tag invalidations are per instance).
                    await services.GetRequiredService<HybridCache>().RemoveByTagAsync(MoviesApi.ListsTag, stoppingToken);
                }
                pending.Clear();
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
