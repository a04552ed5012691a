using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Matcha.Ratings.Recommendations.Serving;

/// <summary>
/// Serves the stored model before the service takes requests, then keeps it fresh: trains on
/// demand, on schedule (<see cref="RecommendationOptions.TrainEvery"/> after the served model's
/// training, or at once when there is none), and picks up models other replicas trained.
/// </summary>
internal sealed partial class ModelTrainingService(
    ModelTrainer trainer, CurrentModel current, TimeProvider clock,
    IOptions<RecommendationOptions> options, ILogger<ModelTrainingService> logger) : BackgroundService
{
    private readonly Channel<bool> requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Asks for a training soon; requests made while one is waiting are the same request.</summary>
    public void RequestTraining() => requests.Writer.TryWrite(true);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before Kestrel listens: a restarted replica answers its first request with the stored model.
        await trainer.LoadNewestAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var requested = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var due = current.Model is not { } served || served.Info.TrainedAt + options.Value.TrainEvery <= clock.GetUtcNow();
                if (requested || due)
                {
                    await trainer.TrainAsync(stoppingToken);
                }
                await trainer.LoadNewestAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(ex);
            }
            requested = await NextRequestAsync(stoppingToken);
        }
    }

    /// <summary>Waits for a training request (true) or the next check (false).</summary>
    private async Task<bool> NextRequestAsync(CancellationToken stoppingToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var request = requests.Reader.WaitToReadAsync(wait.Token).AsTask();
        await Task.WhenAny(request, Task.Delay(options.Value.CheckForNewerModelEvery, clock, wait.Token));
        await wait.CancelAsync();
        stoppingToken.ThrowIfCancellationRequested();
        return requests.Reader.TryRead(out _);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Recommendation model training or loading failed; retrying later")]
    private partial void LogFailed(Exception exception);
}
