using System.Net;
using System.Text;
using Matcha.Gateway.Screens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Matcha.Tests.Gateway;

/// <summary>
/// The gateway starts without waiting for Catalog, so the home screen's shared lists must not
/// keep a read that found Catalog not yet up: the next home screen reads them again, long before
/// the refresh interval. The gateway's screens as it wires them; Catalog replaced by canned
/// answers that can be down. Fast: starts no AppHost.
/// </summary>
public sealed class HomeListsTests : IAsyncDisposable
{
    private readonly LateCatalog _catalog = new();
    private ServiceProvider? _services;

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.GetRequiredService<HomeLists>().StopAsync(CancellationToken.None);
            await _services.DisposeAsync();
        }
        _catalog.Dispose();
    }

    [Fact]
    public async Task AnIdleGatewayAsksCatalogNothingAndTheFirstHomeScreenReadsTheLists()
    {
        var lists = await StartAsync();
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Equal(0, _catalog.Asked);

        var snapshot = await lists.GetAsync(CancellationToken.None);

        Assert.False(snapshot.AnyFailed);
        Assert.Equal("Seven", snapshot.Rankings["top-rated"].Value!.Items[0].OriginalTitle);
    }

    [Fact]
    public async Task ListsReadWhileCatalogWasDownAreReadAgainAtTheNextHomeScreenNotAfterTheRefreshInterval()
    {
        _catalog.Down = true;
        var lists = await StartAsync();

        var first = await lists.GetAsync(CancellationToken.None);
        Assert.True(first.AnyFailed);
        Assert.True(first.Popular.Failed);

        _catalog.Down = false;
        // The refresh interval is a minute here: only the failed read can make the gateway ask again.
        // The screens' circuit for Catalog may have opened on the failures; it closes after its break (5 s).
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        var snapshot = first;
        while (snapshot.AnyFailed && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            snapshot = await lists.GetAsync(CancellationToken.None);
        }

        Assert.False(snapshot.AnyFailed);
        Assert.Equal(60, snapshot.Popular.Value!.Items.Count);
        Assert.Equal(["top-rated", "most-wished", "trending"], snapshot.Rankings.Keys);
        Assert.All(snapshot.Rankings.Values, ranking => Assert.Equal(7, ranking.Value!.Items[0].Id));
    }

    [Fact]
    public async Task AHomeScreenAfterAQuietSpellIsAnsweredWithTheListsInHandWhileTheyAreReadAgain()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var lists = await StartAsync(clock, []);   // the gateway's defaults
        var first = await lists.GetAsync(CancellationToken.None);
        var asked = _catalog.Asked;

        // A quiet minute, with Catalog slow to answer: the screen gets the lists in hand at once and asks for new ones.
        _catalog.Hold();
        clock.Advance(TimeSpan.FromMinutes(1));
        var afterQuiet = await lists.GetAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Same(first, afterQuiet);
        Assert.True(await EventsDriver.EventuallyAsync(() => Task.FromResult(_catalog.Asked > asked), asking => asking, TimeSpan.FromSeconds(10)));

        _catalog.Release();
        var latest = await EventsDriver.EventuallyAsync(
            () => lists.GetAsync(CancellationToken.None), snapshot => snapshot.ReadAt != first.ReadAt, TimeSpan.FromSeconds(10));
        Assert.Equal(clock.GetUtcNow(), latest.ReadAt);
    }

    [Fact]
    public async Task ListsOlderThanTheirMaximumAgeAreNotShownTheScreenWaitsForTheRead()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var lists = await StartAsync(clock, []);
        var first = await lists.GetAsync(CancellationToken.None);

        _catalog.Hold();
        clock.Advance(new HomeListsOptions().MaxAge + TimeSpan.FromSeconds(1));
        var waiting = lists.GetAsync(CancellationToken.None);
        Assert.True(await EventsDriver.EventuallyAsync(() => Task.FromResult(_catalog.Asked > 5), asking => asking, TimeSpan.FromSeconds(10)));
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        Assert.False(waiting.IsCompleted);

        _catalog.Release();
        var fresh = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotSame(first, fresh);
        Assert.Equal(clock.GetUtcNow(), fresh.ReadAt);
    }

    private Task<HomeLists> StartAsync() => StartAsync(TimeProvider.System, new Dictionary<string, string?>
    {
        [$"{HomeListsOptions.Section}:{nameof(HomeListsOptions.RefreshInterval)}"] = "00:01:00",
        [$"{HomeListsOptions.Section}:{nameof(HomeListsOptions.MaxAge)}"] = "00:05:00",
    });

    private async Task<HomeLists> StartAsync(TimeProvider clock, Dictionary<string, string?> configuration)
    {
        _services = ScreenServices.Build(configuration, clock, ("catalog", _catalog));
        var lists = _services.GetRequiredService<HomeLists>();
        await lists.StartAsync(CancellationToken.None);
        return lists;
    }

    /// <summary>Catalog's list endpoints, refusing connections while <see cref="Down"/>, as before its process listens.</summary>
    private sealed class LateCatalog : HttpMessageHandler
    {
        private const string Card = """{"id":7,"titles":{"en":"Seven"},"originalTitle":"Seven","year":1995,"posterUrl":null}""";
        private int _asked;
        private volatile TaskCompletionSource _held = Released();

        public volatile bool Down;

        public int Asked => Volatile.Read(ref _asked);

        /// <summary>Requests from now on are answered only once <see cref="Release"/> is called.</summary>
        public void Hold() => _held = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _held.TrySetResult();

        private static TaskCompletionSource Released()
        {
            var released = new TaskCompletionSource();
            released.SetResult();
            return released;
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _asked);
            await _held.Task.WaitAsync(cancellationToken);
            if (Down)
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (catalog)");
            }
            var path = request.RequestUri!.PathAndQuery;
            string? json = path switch
            {
                _ when path.StartsWith("/rankings/", StringComparison.Ordinal) =>
                    $$"""{"kind":"{{path["/rankings/".Length..path.IndexOf('?')]}}","items":[{{Card}}]}""",
                "/movies?sort=popularity&released=true&pageSize=60" =>
                    $$"""{"items":[{{string.Join(',', Enumerable.Repeat(Card, 60))}}]}""",
                "/shelves?limit=12" => """{"shelves":[]}""",
                _ => null,
            };
            return json is null
                ? new HttpResponseMessage(HttpStatusCode.NotFound)
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        }
    }
}
