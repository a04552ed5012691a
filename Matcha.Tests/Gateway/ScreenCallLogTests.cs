using System.Net;
using System.Security.Claims;
using System.Text;
using Matcha.Gateway.Screens;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Matcha.Tests.Gateway;

/// <summary>
/// The screens as the gateway wires them (their clients, pipelines and readers), Catalog and
/// Ratings replaced by canned answers that count what they serve: a screen asks each service at
/// most once, signed in or not, and its <c>Server-Timing</c> (what <c>bench … screens</c> counts
/// the calls from) lists exactly the requests each service served, a retry as a second one.
/// </summary>
public sealed class ScreenCallLogTests : IDisposable
{
    private readonly CannedService _catalog = new(path => path switch
    {
        "/movies/7" => """{"id":7,"titles":{"en":"Seven"},"originalTitle":"Seven","year":1995,"posterUrl":null}""",
        "/people/3" => """{"id":3,"names":{"en":"A Director"},"filmography":[{"movie":{"id":7,"titles":{"en":"Seven"}},"role":"Director","character":null},{"movie":{"id":8,"titles":{"en":"Eight"}},"role":"Director","character":null}]}""",
        _ => null,
    });

    private readonly CannedService _ratings = new(path => path switch
    {
        "/me/movies/7?comments=50" => """{"likedCommentIds":[],"comments":{"items":[]},"prediction":{"movieId":7,"predicted":4.0,"basis":"personal","ratingCount":3}}""",
        "/me/movies?ids=7,8" => """{"items":[{"movieId":7,"score":4.5},{"movieId":8,"predicted":3.5,"basis":"personal","ratingCount":3}],"predicting":true}""",
        _ => null,
    });

    private ServiceProvider? _services;

    public void Dispose()
    {
        _services?.Dispose();
        _catalog.Dispose();
        _ratings.Dispose();
    }

    [Fact]
    public async Task ASignedInPersonScreenAsksEachServiceOnceAndItsServerTimingListsThoseRequests()
    {
        var (catalog, ratings) = Clients();
        var log = ScreenCallLog.Begin();

        var screen = await PersonScreen.GetAsync(3, Fan, catalog, ratings, CancellationToken.None);

        var person = Assert.IsType<Ok<PersonScreen>>(screen.Result).Value!;
        Assert.Empty(person.Unavailable);
        Assert.Equal(4.5, person.Person!.Filmography[0].Movie.MyScore);
        Assert.Equal((1, 1), (_catalog.Served, _ratings.Served));
        Assert.Equal(["catalog", "ratings"], Entries(log));
    }

    [Fact]
    public async Task AnAnonymousFilmScreenAsksCatalogOnceAndRatingsNever()
    {
        var (catalog, ratings) = Clients();
        var log = ScreenCallLog.Begin();

        var screen = await MovieScreen.GetAsync(7, Anonymous, catalog, ratings, CancellationToken.None);

        Assert.Equal(7, Assert.IsType<Ok<MovieScreen>>(screen.Result).Value!.Movie!.Id);
        Assert.Equal((1, 0), (_catalog.Served, _ratings.Served));
        Assert.Equal(["catalog"], Entries(log));
    }

    [Fact]
    public async Task ARequestRetriedAfterA503IsTwoEntriesForTheServiceThatServedTwo()
    {
        _catalog.FailFirst = true;
        var (catalog, ratings) = Clients();
        var log = ScreenCallLog.Begin();

        var screen = await MovieScreen.GetAsync(7, Fan, catalog, ratings, CancellationToken.None);

        var movie = Assert.IsType<Ok<MovieScreen>>(screen.Result).Value!;
        Assert.Empty(movie.Unavailable);
        Assert.Equal((2, 1), (_catalog.Served, _ratings.Served));
        Assert.Equal(["catalog", "catalog", "ratings"], Entries(log));
    }

    private static readonly ClaimsPrincipal Anonymous = new(new ClaimsIdentity());

    private static readonly ClaimsPrincipal Fan = new(new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, "user-42"), new Claim("name", "Fan")], "Bearer"));

    /// <summary>The services named in the log's Server-Timing, one per entry, sorted (the two services are asked in parallel).</summary>
    private static List<string> Entries(ScreenCallLog log) =>
        [.. log.ToServerTiming().Split(", ", StringSplitOptions.RemoveEmptyEntries).Select(entry => entry.Split(';')[0]).Order(StringComparer.Ordinal)];

    private (CatalogClient Catalog, RatingsClient Ratings) Clients()
    {
        var services = _services = ScreenServices.Build(new Dictionary<string, string?>(), ("catalog", _catalog), ("ratings", _ratings));
        return (services.GetRequiredService<CatalogClient>(), services.GetRequiredService<RatingsClient>());
    }

    /// <summary>A service answering GETs from a table of paths (anything else 404), counting the requests it served.</summary>
    private sealed class CannedService(Func<string, string?> answers) : HttpMessageHandler
    {
        private int _served;

        public int Served => Volatile.Read(ref _served);

        /// <summary>The first request is answered 503, as a service that is restarting would.</summary>
        public bool FailFirst { get; set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _served) == 1 && FailFirst)
            {
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
            }
            return Task.FromResult(answers(request.RequestUri!.PathAndQuery) is { } json
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") }
                : new HttpResponseMessage(HttpStatusCode.NotFound));
        }
    }
}
