using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Net.ClientFactory;
using Matcha.Contracts.Catalog.V1;
using Matcha.Gateway.Proxy;
using Matcha.Gateway.Screens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Matcha.Tests.Gateway;

/// <summary>
/// The gateway's gRPC client for Catalog's cards, wired as the gateway wires it (the screens'
/// pipeline under the gRPC client factory), against a scripted Catalog: a failed call is
/// retried once and only when it may succeed on a second try, a hung Catalog costs the
/// screen its deadline and no more, repeated failures open the circuit so Catalog is not
/// called at all, and after the break one probe closes it again. The caller's identity
/// travels as Catalog's internal token in the call's metadata. Chaos (<c>Chaos:catalog:*</c>,
/// off by default) is injected inside that pipeline, so it meets the same retry and circuit.
/// </summary>
public sealed class GrpcCardsResilienceTests : IDisposable
{
    private readonly ScriptedCatalog _catalog = new();
    private ServiceProvider? _services;

    public void Dispose()
    {
        _services?.Dispose();
        _catalog.Dispose();
    }

    [Fact]
    public async Task AnUnavailableCatalogIsAskedOnceMoreAndTheSecondAnswerIsUsed()
    {
        _catalog.Answer(Unavailable, Cards(7));
        var reader = Reader();

        var part = await reader.GetFilmCardsAsync([7], Anonymous, CancellationToken.None);

        Assert.False(part.Failed);
        Assert.Equal([7], part.Value!.Items.Select(film => film.Id));
        Assert.Equal(2, _catalog.Calls);
    }

    [Fact]
    public async Task AFailureThatARetryCannotMendIsNotRetried()
    {
        _catalog.Answer(Status(3, "ids must be positive"));   // INVALID_ARGUMENT
        var reader = Reader();

        var part = await reader.GetFilmCardsAsync([7], Anonymous, CancellationToken.None);

        Assert.Equal("grpc-invalidargument", part.FailureReason);
        Assert.Equal(1, _catalog.Calls);
    }

    [Fact]
    public async Task ACatalogThatStaysUnavailableIsAskedTwiceAndNamedUnreachable()
    {
        _catalog.Answer(Unavailable, Unavailable, Unavailable);
        var reader = Reader();

        var part = await reader.GetFilmCardsAsync([7], Anonymous, CancellationToken.None);

        Assert.Equal("unreachable", part.FailureReason);
        Assert.Equal(2, _catalog.Calls);
    }

    [Fact]
    public async Task AHungCatalogCostsTheScreenItsDeadlineAndIsNamedTimeout()
    {
        _catalog.Hang();
        var reader = Reader();

        var part = await reader.GetFilmCardsAsync([7], Anonymous, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("timeout", part.FailureReason);
        Assert.InRange(_catalog.Calls, 1, 2);   // the attempt timed out, and the retry ran into the deadline
    }

    [Fact]
    public async Task RepeatedFailuresOpenTheCircuitSoCatalogIsNotCalledUntilOneProbeClosesIt()
    {
        _catalog.AnswerAlways(Unavailable);
        var reader = Reader();

        // MinimumThroughput (4) failed calls: each read is two calls (one retry), so two reads.
        for (var i = 0; i < 2; i++)
            Assert.Equal("unreachable", (await reader.GetFilmCardsAsync([7], Anonymous, CancellationToken.None)).FailureReason);
        var callsWhenOpened = _catalog.Calls;

        var whileOpen = await reader.GetFilmCardsAsync([7], Anonymous, CancellationToken.None);

        Assert.Equal("circuit-open", whileOpen.FailureReason);
        Assert.Equal(callsWhenOpened, _catalog.Calls);

        // After the break one call goes through; it succeeds, and the circuit closes.
        _catalog.AnswerAlways(Cards(7));
        await Task.Delay(Options.BreakDuration + TimeSpan.FromMilliseconds(200));
        var probe = await reader.GetFilmCardsAsync([7], Anonymous, CancellationToken.None);
        var after = await reader.GetFilmCardsAsync([7], Anonymous, CancellationToken.None);

        Assert.False(probe.Failed);
        Assert.False(after.Failed);
        Assert.Equal(callsWhenOpened + 2, _catalog.Calls);
    }

    [Fact]
    public async Task ASignedInCallerIsCarriedAsCatalogsInternalTokenAndAnAnonymousOneAsNone()
    {
        _catalog.AnswerAlways(Cards(7));
        var reader = Reader();
        var fan = new ClaimsPrincipal(new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, "user-42"), new Claim("name", "Fan")], "Bearer"));

        await reader.GetFilmCardsAsync([7], fan, CancellationToken.None);
        await reader.GetFilmCardsAsync([7], Anonymous, CancellationToken.None);

        var signedIn = Assert.IsType<AuthenticationHeaderValue>(_catalog.Authorizations[0]);
        Assert.Equal("Bearer", signedIn.Scheme);
        var token = new JsonWebToken(signedIn.Parameter);
        Assert.Equal("user-42", token.Subject);
        Assert.Equal(["catalog"], token.Audiences);
        Assert.Null(_catalog.Authorizations[1]);
    }

    [Fact]
    public async Task InjectedFaultsNeverReachCatalogAndOpenTheCircuitAsRealOnesWould()
    {
        _catalog.AnswerAlways(Cards(7));
        var reader = Reader(("Chaos:catalog:FaultRate", "1"));

        var first = await reader.GetFilmCardsAsync([7], Anonymous, CancellationToken.None);
        var second = await reader.GetFilmCardsAsync([7], Anonymous, CancellationToken.None);
        var third = await reader.GetFilmCardsAsync([7], Anonymous, CancellationToken.None);

        Assert.Equal("unreachable", first.FailureReason);   // the injected 503, retried once like a real one
        Assert.Equal("unreachable", second.FailureReason);
        Assert.Equal("circuit-open", third.FailureReason);  // four failed attempts open it (MinimumThroughput)
        Assert.Equal(0, _catalog.Calls);
    }

    [Fact]
    public async Task InjectedLatencyIsCutByTheAttemptTimeoutAndNamedTimeout()
    {
        _catalog.AnswerAlways(Cards(7));
        var reader = Reader(("Chaos:catalog:LatencyMs", "10000"));

        var part = await reader.GetFilmCardsAsync([7], Anonymous, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("timeout", part.FailureReason);
        Assert.Equal(0, _catalog.Calls);
    }

    private static readonly ClaimsPrincipal Anonymous = new(new ClaimsIdentity());

    private static readonly ScreenDependencyOptions Options = new()
    {
        AttemptTimeout = TimeSpan.FromSeconds(1),   // roomy: a first call pays for JIT and the pipeline's creation
        TotalTimeout = TimeSpan.FromSeconds(2.5),
        MinimumThroughput = 4,
        SamplingDuration = TimeSpan.FromSeconds(30),
        BreakDuration = TimeSpan.FromMilliseconds(700),
    };

    /// <summary>The reader over the gateway's own wiring of the client, Catalog replaced by the script.</summary>
    private CatalogCardsReader Reader(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"{ScreenDependencyOptions.Section}:catalog:AttemptTimeout"] = Options.AttemptTimeout.ToString(),
            [$"{ScreenDependencyOptions.Section}:catalog:TotalTimeout"] = Options.TotalTimeout.ToString(),
            [$"{ScreenDependencyOptions.Section}:catalog:MinimumThroughput"] = Options.MinimumThroughput.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"{ScreenDependencyOptions.Section}:catalog:SamplingDuration"] = Options.SamplingDuration.ToString(),
            [$"{ScreenDependencyOptions.Section}:catalog:BreakDuration"] = Options.BreakDuration.ToString(),
        };
        foreach (var (name, value) in more)
        {
            settings[name] = value;
        }
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddScreenClients();
        builder.Services.AddGrpcCardsClient()
            .ConfigurePrimaryHttpMessageHandler(() => _catalog);
        var services = _services = builder.Services.BuildServiceProvider();

        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var minter = new InternalTokenMinter(Microsoft.Extensions.Options.Options.Create(new InternalTokenOptions { SigningKey = Convert.ToBase64String(key.ExportPkcs8PrivateKey()) }), TimeProvider.System);
        return new CatalogCardsReader(services.GetRequiredService<GrpcClientFactory>(), minter,
            services.GetRequiredService<IOptionsMonitor<ScreenDependencyOptions>>(), TimeProvider.System, NullLogger<CatalogCardsReader>.Instance);
    }

    private static Func<HttpResponseMessage> Unavailable => Status(14, "connection refused");

    private static Func<HttpResponseMessage> Status(int code, string detail) => () =>
    {
        // A trailers-only answer, as a gRPC server sends a failure before any message.
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Version = HttpVersion.Version20, Content = new ByteArrayContent([]) };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        response.Headers.Add("grpc-status", code.ToString(System.Globalization.CultureInfo.InvariantCulture));
        response.Headers.Add("grpc-message", detail);
        return response;
    };

    private static Func<HttpResponseMessage> Cards(params int[] ids) => () =>
    {
        var message = new FilmCards { Items = { ids.Select(id => new FilmCard { Id = id, OriginalTitle = $"Film {id}" }) } }.ToByteArray();
        var frame = new byte[5 + message.Length];   // not compressed, then the length, big-endian
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Version = HttpVersion.Version20, Content = new ByteArrayContent(frame) };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        response.TrailingHeaders.Add("grpc-status", "0");
        return response;
    };

    /// <summary>Catalog's gRPC endpoint as a script of answers; it counts calls and keeps each call's authorization.</summary>
    private sealed class ScriptedCatalog : HttpMessageHandler
    {
        private readonly Queue<Func<HttpResponseMessage>> _script = new();
        private Func<HttpResponseMessage>? _always;
        private bool _hang;
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public List<AuthenticationHeaderValue?> Authorizations { get; } = [];

        public void Answer(params Func<HttpResponseMessage>[] answers)
        {
            foreach (var answer in answers)
                _script.Enqueue(answer);
        }

        public void AnswerAlways(Func<HttpResponseMessage> answer) => _always = answer;

        public void Hang() => _hang = true;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            lock (Authorizations)
                Authorizations.Add(request.Headers.Authorization);
            if (_hang)
                await Task.Delay(Timeout.Infinite, cancellationToken);
            var answer = _script.Count > 0 ? _script.Dequeue() : _always ?? throw new InvalidOperationException("The script has no answer left.");
            return answer();
        }
    }
}
