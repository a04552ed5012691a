using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Matcha.Bench.Load;
using Matcha.Testing;

namespace Matcha.Bench;

/// <summary>
/// What the gateway costs: an authenticated, cached read (a film's detail, served from Catalog's
/// cache, and kept by the gateway's page cache for its second) through the gateway — which
/// validates the access token, applies the rate limit and authorization, and on a miss strips
/// identity headers, mints an internal token and forwards — against the same read sent straight
/// to Catalog with an internal token minted once by the benchmark (so Catalog does the same
/// verification either way). Both on the servers' own ports.
/// Both are warmed up with full passes until steady; they alternate in rounds, in one run, which goes first alternating too, and
/// each round's ratio of throughputs is printed with their median.
/// </summary>
internal static class GatewayBenchmark
{
    private const int Rounds = 5;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        Console.WriteLine($"Gateway benchmark: {Rounds} rounds of {options.Requests:N0} requests each way, concurrency {options.Concurrency}");
        BuildConfiguration.Print();
        Console.WriteLine("Starting Matcha (local Postgres and Redis)...");
        // The per-user rate limit (100/s) would measure itself, not the gateway.
        await using var app = await BenchApp.StartAsync(resources: null, builder => builder
            .CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "gateway"))
            .WithEnvironment("Gateway__RateLimits__UserBurst", "1000000")
            .WithEnvironment("Gateway__RateLimits__UserPerSecond", "1000000"));

        using var gateway = app.CreateHttpClient("gateway", "http");
        var (tokens, userId) = await gateway.SignUpAndLoginAsync();
        var film = (await gateway.GetFromJsonAsync<JsonElement>("/api/catalog/movies?sort=title&pageSize=1")).GetProperty("items")[0].GetProperty("id").GetInt32();

        // Both sides on the servers' own ports: Catalog runs without Aspire's proxy (DirectEndpoints), and the gateway
        // keeps one only for the browser's stable address, which a deployment does not have. Measuring the gateway
        // through it charged the gateway's side alone with a hop of the orchestrator's.
        using var throughGateway = app.CreateHttpClient("gateway", "http");
        throughGateway.BaseAddress = Load.ServiceProcesses.OwnHttpAddress(app, "gateway") ?? throughGateway.BaseAddress;
        throughGateway.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        using var direct = app.CreateHttpClient("catalog", "http");
        Console.WriteLine($"Measured at: the gateway {throughGateway.BaseAddress}, Catalog {direct.BaseAddress}; the gateway's page cache {PageCache()}");
        var signingKey = await app.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<ParameterResource>().Single(p => p.Name == "gateway-signing-key").GetValueAsync(CancellationToken.None);

        Console.WriteLine($"Services run: gateway {ServiceProcesses.BuildConfiguration(app, "gateway")}, catalog {ServiceProcesses.BuildConfiguration(app, "catalog")}");
        var viaGateway = new List<Measurement>();
        var straight = new List<Measurement>();
        var cpu = new Dictionary<string, List<CpuPerRequest>> { ["direct"] = [], ["gateway"] = [] };
        var gatewayPaths = Enumerable.Repeat($"/api/catalog/movies/{film}", options.Requests).ToList();
        var directPaths = Enumerable.Repeat($"/movies/{film}", options.Requests).ToList();
        direct.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", InternalToken(signingKey!, userId));
        Console.WriteLine("Warm-up: both sides, full passes, until each is steady...");
        await Measurement.WarmUpAsync(
            ("through the gateway", () => Measurement.RunAsync("warm-up", gatewayPaths, options.Concurrency, throughGateway)),
            ("straight to Catalog", () => Measurement.RunAsync("warm-up", directPaths, options.Concurrency, direct)));
        Console.WriteLine();
        var ratios = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            // A fresh token each round (it lives a minute); which side goes first alternates.
            direct.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", InternalToken(signingKey!, userId));
            async Task<Measurement> Straight() => await CpuPerRequest.MeasureAsync(app, cpu["direct"],
                () => Measurement.RunAsync("straight to Catalog", directPaths, options.Concurrency, direct));
            async Task<Measurement> Through() => await CpuPerRequest.MeasureAsync(app, cpu["gateway"],
                () => Measurement.RunAsync("through the gateway", gatewayPaths, options.Concurrency, throughGateway));
            Measurement d, g;
            if (round % 2 == 0)
            {
                d = await Straight();
                g = await Through();
            }
            else
            {
                g = await Through();
                d = await Straight();
            }
            straight.Add(d);
            viaGateway.Add(g);
            ratios.Add(g.PerSecond / d.PerSecond);
            Console.WriteLine($"round {round + 1} ({(round % 2 == 0 ? "direct first" : "gateway first")})");
            Console.WriteLine($"  {d}");
            Console.WriteLine($"    CPU per request: {cpu["direct"][^1]}");
            Console.WriteLine($"  {g}");
            Console.WriteLine($"    CPU per request: {cpu["gateway"][^1]}");
            Console.WriteLine($"  round ratio {ratios[^1]:F2}");
        }

        // The median of the per-round ratios: a round disturbed by other work on the machine
        // moves it less than it would move a ratio of mean throughputs.
        var median = CatalogBenchmark.Median(ratios);
        Console.WriteLine($"gateway / direct throughput: {median:F2} (median of {Rounds} rounds: {string.Join(", ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}; means {viaGateway.Average(m => m.PerSecond):F0} vs {straight.Average(m => m.PerSecond):F0} req/s)");
        Console.WriteLine($"CPU per request, median of {Rounds} rounds: straight to Catalog {CpuPerRequest.Median(cpu["direct"])}");
        Console.WriteLine($"                                 through the gateway {CpuPerRequest.Median(cpu["gateway"])}");
        Console.WriteLine($"Load average: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gateway: ratio={median:F2}"));
        return 0;
    }

    /// <summary>The gateway's page cache as the benchmark's environment sets it (its processes inherit it): on by default.</summary>
    private static string PageCache() =>
        Environment.GetEnvironmentVariable("Gateway__PageCache__Lifetime") is { } lifetime
            ? $"lifetime {lifetime} (Gateway__PageCache__Lifetime)"
            : "on, its default lifetime (Gateway__PageCache__Lifetime=00:00:00 turns it off)";

    /// <summary>The token the gateway would mint for Catalog, minted here with the gateway's key (valid one minute).</summary>
    private static string InternalToken(string signingKey, Guid userId)
    {
        var now = DateTime.UtcNow;
        return TestTokens.Mint(TestTokens.GatewayCredentials(signingKey), userId.ToString(),
            TestTokens.GatewayIssuer, "catalog", TestTokens.InternalTokenType, now, now.AddMinutes(1),
            new Dictionary<string, object> { ["name"] = "Bench", ["role"] = Array.Empty<string>() });
    }

    /// <summary>
    /// What one request cost each process, in CPU ms: the gateway, Catalog, Aspire's proxies in
    /// front of both (dcp) and this client, read from /proc over a pass. Independent of how busy the
    /// machine is, unlike throughput.
    /// </summary>
    private sealed record CpuPerRequest(double Gateway, double Catalog, double Proxies, double Client)
    {
        public static async Task<Measurement> MeasureAsync(DistributedApplication app, List<CpuPerRequest> into, Func<Task<Measurement>> pass)
        {
            var before = Read(app);
            var measurement = await pass();
            var after = Read(app);
            double Ms(int i) => (after[i] - before[i]).TotalMilliseconds / measurement.Requests;
            into.Add(new CpuPerRequest(Ms(0), Ms(1), Ms(2), Ms(3)));
            return measurement;
        }

        public static CpuPerRequest Median(List<CpuPerRequest> all) => new(
            CatalogBenchmark.Median(all.Select(c => c.Gateway)), CatalogBenchmark.Median(all.Select(c => c.Catalog)),
            CatalogBenchmark.Median(all.Select(c => c.Proxies)), CatalogBenchmark.Median(all.Select(c => c.Client)));

        private static TimeSpan[] Read(DistributedApplication app) =>
        [
            ServiceProcesses.CpuTime(app, "gateway"), ServiceProcesses.CpuTime(app, "catalog"),
            ServiceProcesses.OrchestratorCpuTime(app, "catalog"), System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime,
        ];

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"gateway {Gateway:F3} ms, catalog {Catalog:F3} ms, Aspire's proxies (dcp) {Proxies:F3} ms, benchmark client {Client:F3} ms, total {Gateway + Catalog + Proxies + Client:F3} ms");
    }
}
