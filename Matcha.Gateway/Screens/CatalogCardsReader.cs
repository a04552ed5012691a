using System.Security.Claims;
using Grpc.Core;
using Grpc.Net.ClientFactory;
using Matcha.Contracts.Catalog.V1;
using Matcha.Gateway.Proxy;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Matcha.Gateway.Screens;

/// <summary>
/// Catalog's cards over gRPC, as the screens read them: the caller's internal token for Catalog
/// in the call's metadata (as <see cref="ServiceReader"/> puts it in the HTTP header), a deadline
/// equal to the screens' total timeout for Catalog, and the screens' pipeline underneath (one
/// retry, the attempt timeout, a circuit of its own). A failure is a part's failure reason, named
/// as over HTTP: <c>timeout</c>, <c>circuit-open</c>, <c>unreachable</c>, or the gRPC status.
/// </summary>
internal sealed partial class CatalogCardsReader(
    GrpcClientFactory clients, InternalTokenMinter minter, IOptionsMonitor<ScreenDependencyOptions> options, TimeProvider clock,
    ILogger<CatalogCardsReader> logger)
{
    public const string Service = "catalog";

    /// <summary>The gRPC client's name: its own HttpClient, so its own circuit.</summary>
    public const string ClientName = "screens-catalog-grpc";

    public async Task<Part<Page<Film>>> GetFilmCardsAsync(IEnumerable<int> ids, ClaimsPrincipal caller, CancellationToken ct)
    {
        var request = new CardsRequest { Ids = { ids } };
        try
        {
            var cards = clients.CreateClient<CatalogCards.CatalogCardsClient>(ClientName);
            var reply = await cards.GetFilmCardsAsync(request, Metadata(caller), Deadline(), ct);
            return Part<Page<Film>>.Of(new Page<Film>([.. reply.Items.Select(ToFilm)]));
        }
        catch (RpcException ex) when (!ct.IsCancellationRequested)
        {
            var reason = ReasonOf(ex);
            LogFailed(nameof(CatalogCards.CatalogCardsClient.GetFilmCards), reason, ex.Status.Detail);
            return Part<Page<Film>>.Failure(reason);
        }
    }

    private Metadata Metadata(ClaimsPrincipal caller) =>
        caller.IsSignedIn() ? new Metadata { { "authorization", $"Bearer {minter.Mint(caller, Service)}" } } : [];

    private DateTime Deadline() => clock.GetUtcNow().UtcDateTime + options.Get(Service).TotalTimeout;

    private static string ReasonOf(RpcException ex) => ex.Status.DebugException switch
    {
        BrokenCircuitException => "circuit-open",
        TimeoutRejectedException => "timeout",
        HttpRequestException => "unreachable",
        _ when ex.StatusCode is StatusCode.DeadlineExceeded => "timeout",
        _ when ex.StatusCode is StatusCode.Unavailable => "unreachable",
        _ => $"grpc-{ex.StatusCode}".ToLowerInvariant(),
    };

    private static Film ToFilm(FilmCard card) => new()
    {
        Id = card.Id,
        Titles = card.Titles.ToDictionary(),
        OriginalTitle = card.OriginalTitle,
        Year = card.HasYear ? card.Year : null,
        PosterUrl = card.HasPosterUrl ? card.PosterUrl : null,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Screen read from catalog over gRPC ({Method}) failed: {Reason} {Detail}")]
    private partial void LogFailed(string method, string reason, string detail);
}
