using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using Matcha.Bench.Load;
using Matcha.Contracts.Catalog.V1;
using Matcha.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Matcha.Bench;

/// <summary>
/// REST/JSON against gRPC/protobuf for the same read: the cards of the same 50 films from
/// Catalog, over <c>GET /movies/cards?ids=…</c> (HTTP/1.1, JSON) and <c>CatalogCards/GetFilmCards</c>
/// (HTTP/2, protobuf), each with the same internal token (so Catalog verifies it either way) and
/// the same database read behind it. Both are warmed up; they alternate in rounds, which goes
/// first alternating too. Per round: throughput, p50/p99, and Catalog's CPU per request (its
/// process's user + system time over the round); bytes per response are the body (JSON) and the
/// message with its 5-byte gRPC frame (protobuf), headers left out on both sides.
/// </summary>
internal static class ApiStylesBenchmark
{
    private const int Films = 50;

    public static async Task<int> RunAsync(string[] args)
    {
        var (requests, concurrency, rounds) = Parse(args);
        Console.WriteLine($"API styles benchmark: {Films} film cards per read, {rounds} rounds of {requests:N0} reads each way, concurrency {concurrency}");
        BuildConfiguration.Print();
        Console.WriteLine("Starting Postgres, Redis and Catalog as local processes...");
        await using var app = await BenchApp.StartAsync(["postgres", "catalogdb", "redis", "catalog"]);

        var ids = await FilmIdsAsync(app);
        var signingKey = await app.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<ParameterResource>().Single(p => p.Name == "gateway-signing-key").GetValueAsync(CancellationToken.None);
        using var rest = app.CreateHttpClient("catalog", "http");
        using var channel = GrpcChannel.ForAddress(app.GetEndpoint("catalog", "grpc"));
        var grpc = new CatalogCards.CatalogCardsClient(channel);
        var path = $"/movies/cards?ids={string.Join(',', ids)}";
        var request = new CardsRequest { Ids = { ids } };

        var token = InternalToken(signingKey!);
        rest.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var restBytes = (await rest.GetByteArrayAsync(path)).Length;
        var reply = await grpc.GetFilmCardsAsync(request, Bearer(token));
        var grpcBytes = reply.CalculateSize() + 5;
        if (reply.Items.Count != Films)
        {
            throw new InvalidOperationException($"gRPC answered {reply.Items.Count} cards, not {Films}.");
        }
        Console.WriteLine($"One read: REST {restBytes:N0} bytes of JSON, gRPC {grpcBytes:N0} bytes of protobuf ({(double)restBytes / grpcBytes:F1}x smaller)");

        Task<Side> Rest() => MeasureAsync(app, "REST/JSON", requests, concurrency, async () =>
        {
            using var response = await rest.GetAsync(path, HttpCompletionOption.ResponseContentRead);
            response.EnsureSuccessStatusCode();
        });
        Task<Side> Grpc(Metadata headers) => MeasureAsync(app, "gRPC/protobuf", requests, concurrency, async () =>
            await grpc.GetFilmCardsAsync(request, headers));

        Console.WriteLine("Warm-up...");
        await Rest();
        await Grpc(Bearer(token));

        var sides = new List<(Side Json, Side Protobuf)>();
        for (var round = 0; round < rounds; round++)
        {
            // A fresh token each round (it lives a minute), the same on both sides.
            token = InternalToken(signingKey!);
            rest.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            Side r, g;
            if (round % 2 == 0)
            {
                r = await Rest();
                g = await Grpc(Bearer(token));
            }
            else
            {
                g = await Grpc(Bearer(token));
                r = await Rest();
            }
            sides.Add((r, g));
            Console.WriteLine($"round {round + 1} ({(round % 2 == 0 ? "REST first" : "gRPC first")})");
            Console.WriteLine($"  {r}");
            Console.WriteLine($"  {g}");
            Console.WriteLine($"  gRPC / REST throughput {g.Measurement.PerSecond / r.Measurement.PerSecond:F2}");
        }

        var ratio = CatalogBenchmark.Median(sides.Select(s => s.Protobuf.Measurement.PerSecond / s.Json.Measurement.PerSecond));
        Console.WriteLine();
        Console.WriteLine("| | throughput | p50 | p99 | bytes per response | Catalog CPU per request |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Console.WriteLine(Row("REST/JSON", [.. sides.Select(s => s.Json)], restBytes));
        Console.WriteLine(Row("gRPC/protobuf", [.. sides.Select(s => s.Protobuf)], grpcBytes));
        Console.WriteLine("(medians of the rounds)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"api-styles: grpc_over_rest_throughput={ratio:F2} rest_bytes={restBytes} grpc_bytes={grpcBytes}"));
        return 0;
    }

    private sealed record Side(Measurement Measurement, double CatalogCpuUsPerRequest)
    {
        public override string ToString() => $"{Measurement}  Catalog CPU {CatalogCpuUsPerRequest,6:F0} µs/req";
    }

    private static async Task<Side> MeasureAsync(DistributedApplication app, string name, int requests, int concurrency, Func<Task> read)
    {
        var latencies = new double[requests];
        var next = -1;
        var cpuBefore = ServiceProcesses.CpuTime(app, "catalog");
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                var started = Stopwatch.GetTimestamp();
                await read();
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }));
        var elapsed = stopwatch.Elapsed;
        var cpu = ServiceProcesses.CpuTime(app, "catalog") - cpuBefore;
        return new Side(new Measurement(name, requests, elapsed, latencies), cpu.TotalMicroseconds / requests);
    }

    private static string Row(string name, IReadOnlyList<Side> sides, int bytes) => string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {CatalogBenchmark.Median(sides.Select(s => s.Measurement.PerSecond)):F0} req/s | {CatalogBenchmark.Median(sides.Select(s => s.Measurement.Percentile(50))):F2} ms | {CatalogBenchmark.Median(sides.Select(s => s.Measurement.Percentile(99))):F2} ms | {bytes:N0} | {CatalogBenchmark.Median(sides.Select(s => s.CatalogCpuUsPerRequest)):F0} µs |");

    /// <summary>50 films of the seeded catalogue, the most popular first (they have the most titles and genres).</summary>
    private static async Task<int[]> FilmIdsAsync(DistributedApplication app)
    {
        var connectionString = await app.GetConnectionStringAsync("catalogdb") ?? throw new InvalidOperationException("no catalogdb");
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // The seeder fills the catalogue as Catalog starts; it is healthy before it is done.
        for (var attempt = 0; ; attempt++)
        {
            await using var command = new Npgsql.NpgsqlCommand("SELECT id FROM movies ORDER BY popularity DESC, id LIMIT $1", connection) { Parameters = { new() { Value = Films } } };
            await using var reader = await command.ExecuteReaderAsync();
            var ids = new List<int>();
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetInt32(0));
            }
            if (ids.Count == Films)
            {
                return [.. ids];
            }
            if (attempt == 60)
            {
                throw new InvalidOperationException($"The catalogue has {ids.Count} films, fewer than {Films}.");
            }
            await Task.Delay(1000);
        }
    }

    private static Metadata Bearer(string token) => new() { { "authorization", $"Bearer {token}" } };

    /// <summary>The token the gateway would mint for Catalog, minted here with the gateway's key (valid one minute).</summary>
    private static string InternalToken(string signingKey)
    {
        var now = DateTime.UtcNow;
        return TestTokens.Mint(TestTokens.GatewayCredentials(signingKey), Guid.NewGuid().ToString(),
            TestTokens.GatewayIssuer, "catalog", TestTokens.InternalTokenType, now, now.AddMinutes(1),
            new Dictionary<string, object> { ["name"] = "Bench", ["role"] = Array.Empty<string>() });
    }

    private static (int Requests, int Concurrency, int Rounds) Parse(string[] args)
    {
        var (requests, concurrency, rounds) = (5_000, 16, 5);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            _ = args[i] switch
            {
                "--requests" => requests = value,
                "--concurrency" => concurrency = value,
                "--rounds" => rounds = value,
                _ => throw new ArgumentException($"Unknown option {args[i]}"),
            };
        }
        return (requests, concurrency, rounds);
    }
}
