using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Matcha.Gateway.Screens;

/// <summary>How fresh the home screen's public lists are kept. Section <c>Gateway:Screens:HomeLists</c>.</summary>
public sealed class HomeListsOptions
{
    public const string Section = "Gateway:Screens:HomeLists";

    /// <summary>Lists older than this are read again from Catalog when a home screen is asked for (Catalog's own rankings lag about 1 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Lists older than this are not shown: the screen waits for the refresh it asked for. Younger ones are shown while
    /// the refresh runs, so the first home screens after a quiet spell do not wait for Catalog.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>The public lists of the home screen as Catalog last gave them, each a part (a failure is kept as one).</summary>
internal sealed record HomeListsSnapshot(
    IReadOnlyDictionary<string, Part<Ranking>> Rankings, Part<Page<Film>> Popular, Part<ShelfSet> Shelves, DateTimeOffset ReadAt)
{
    public bool AnyFailed => Popular.Failed || Shelves.Failed || Rankings.Values.Any(ranking => ranking.Failed);
}

/// <summary>
/// The home screen's public lists — the three rankings, the popular released films and the rows
/// that need no ratings (Catalog's shelves) — are the
/// same for every caller, so the gateway keeps one copy, short-lived, instead of asking Catalog
/// for them on every home screen. That is what lets a signed-in home screen ask each service once:
/// the caller's marks and recommendations (Ratings) need the lists' film ids first, and the
/// recommendations' cards (Catalog) need Ratings' answer first. One loop reads the lists when the
/// first home screen asks for them, then whenever a screen finds them older than
/// <see cref="HomeListsOptions.RefreshInterval"/> or missing a list (the screen goes on with the copy
/// it has unless it is older than <see cref="HomeListsOptions.MaxAge"/>). An idle gateway asks
/// nothing, and the gateway starts without waiting for Catalog: a read that found Catalog not yet
/// up is read again at the next home screen, not kept for the refresh interval.
/// </summary>
internal sealed class HomeLists(CatalogClient catalog, IOptions<HomeListsOptions> options, TimeProvider clock) : BackgroundService
{
    public static readonly string[] RankingKinds = ["top-rated", "most-wished", "trending"];
    public const int CardsPerList = 12;

    /// <summary>Three rankings and these make at most 96 films: one batch read of the caller's states.</summary>
    public const int PopularCount = 60;

    private static readonly ClaimsPrincipal Anonymous = new(new ClaimsIdentity());

    private readonly Channel<bool> _wanted = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private volatile HomeListsSnapshot? _current;
    private volatile TaskCompletionSource<HomeListsSnapshot> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<HomeListsSnapshot> GetAsync(CancellationToken ct)
    {
        var next = _next;   // taken before asking, so the refresh asked for completes it
        var current = _current;
        var age = current is null ? TimeSpan.MaxValue : clock.GetUtcNow() - current.ReadAt;
        if (current is null || age > options.Value.RefreshInterval || current.AnyFailed)
        {
            _wanted.Writer.TryWrite(true);
        }
        return current is not null && age <= options.Value.MaxAge ? current : await next.Task.WaitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _wanted.Reader.WaitToReadAsync(stoppingToken))
            {
                _wanted.Reader.TryRead(out _);
                var snapshot = await ReadAsync(stoppingToken);
                _current = snapshot;
                Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(snapshot);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<HomeListsSnapshot> ReadAsync(CancellationToken ct)
    {
        var rankings = RankingKinds.Select(kind => catalog.GetRankingAsync(kind, CardsPerList, Anonymous, ct)).ToArray();
        var popular = catalog.GetPopularReleasedFilmsAsync(PopularCount, Anonymous, ct);
        var shelves = catalog.GetShelvesAsync(CardsPerList, Anonymous, ct);
        await Task.WhenAll([.. rankings, popular, shelves]);
        return new HomeListsSnapshot(
            RankingKinds.Select((kind, i) => (kind, rankings[i].Result)).ToDictionary(pair => pair.kind, pair => pair.Result),
            popular.Result, shelves.Result, clock.GetUtcNow());
    }
}
