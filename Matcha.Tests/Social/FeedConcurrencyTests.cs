using System.Net;
using System.Text.Json;
using Matcha.Social.Feed;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;

namespace Matcha.Tests.Social;

/// <summary>
/// Social's feed limiter (FeedConcurrency) in front of an endpoint that holds each request until
/// the test lets it go: the feed reads a few pages at once, the rest wait in order, and a full
/// queue is refused with a 503 problem rather than piling more work on the database.
/// </summary>
public sealed class FeedConcurrencyTests
{
    [Fact]
    public async Task AtMostTheConfiguredNumberOfPagesAreReadAtOnceAndTheRestWaitTheirTurn()
    {
        await using var feed = await HeldFeed.StartAsync(concurrency: 2, queueLimit: 100);
        var requests = Enumerable.Range(0, 10).Select(_ => feed.Client.GetAsync("/feed")).ToList();
        await feed.UntilRunningAsync(2);
        await Task.Delay(200);
        Assert.Equal(2, feed.Running);

        feed.Release();
        var responses = await Task.WhenAll(requests);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(2, feed.MostAtOnce);
    }

    [Fact]
    public async Task BeyondTheQueueTheFeedAnswers503WithRetryAfterAndAProblem()
    {
        await using var feed = await HeldFeed.StartAsync(concurrency: 1, queueLimit: 0);
        var held = feed.Client.GetAsync("/feed");
        await feed.UntilRunningAsync(1);

        using var refused = await feed.Client.GetAsync("/feed");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("1", refused.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(503, problem.GetProperty("status").GetInt32());

        feed.Release();
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
        using var after = await feed.Client.GetAsync("/feed");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    private sealed class HeldFeed : IAsyncDisposable
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _running;
        private int _mostAtOnce;
        private WebApplication _app = null!;

        public HttpClient Client { get; private set; } = null!;
        public int Running => Volatile.Read(ref _running);
        public int MostAtOnce => Volatile.Read(ref _mostAtOnce);

        public static async Task<HeldFeed> StartAsync(int concurrency, int queueLimit)
        {
            var feed = new HeldFeed();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseTestServer();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                [$"{FeedConcurrencyOptions.Section}:Concurrency"] = concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [$"{FeedConcurrencyOptions.Section}:QueueLimit"] = queueLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            builder.AddFeedConcurrency();
            feed._app = builder.Build();
            feed._app.UseRateLimiter();
            feed._app.MapGet("/feed", feed.PageAsync).RequireRateLimiting(FeedConcurrency.Policy);
            await feed._app.StartAsync();
            feed.Client = feed._app.GetTestClient();
            return feed;
        }

        private async Task<string> PageAsync()
        {
            var now = Interlocked.Increment(ref _running);
            int most;
            while ((most = Volatile.Read(ref _mostAtOnce)) < now && Interlocked.CompareExchange(ref _mostAtOnce, now, most) != most)
            {
            }
            await _release.Task;
            Interlocked.Decrement(ref _running);
            return "a page";
        }

        public async Task UntilRunningAsync(int count)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (Running < count)
            {
                await Task.Delay(10, timeout.Token);
            }
        }

        public void Release() => _release.TrySetResult();

        public async ValueTask DisposeAsync()
        {
            Release();
            Client.Dispose();
            await _app.DisposeAsync();
        }
    }
}
