using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Matcha.Testing;

namespace Matcha.Bench;

/// <summary>
/// What the gateway costs: an authenticated, cached read (a film's detail, served from Catalog's
/// cache) through the gateway — which validates the access token, strips identity headers and
/// mints an internal token — against the same read sent straight to Catalog with an internal
/// token minted once by the benchmark (so Catalog does the same verification either way).
/// Both are warmed up; they alternate in rounds, in one run, which goes first alternating too, and
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
        gateway.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);

        using var direct = app.CreateHttpClient("catalog", "http");
        var signingKey = await app.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<ParameterResource>().Single(p => p.Name == "gateway-signing-key").GetValueAsync(CancellationToken.None);

        var viaGateway = new List<Measurement>();
        var straight = new List<Measurement>();
        var gatewayPaths = Enumerable.Repeat($"/api/catalog/movies/{film}", options.Requests).ToList();
        var directPaths = Enumerable.Repeat($"/movies/{film}", options.Requests).ToList();
        direct.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", InternalToken(signingKey!, userId));
        await Measurement.RunAsync("warm-up", gatewayPaths[..Math.Min(500, gatewayPaths.Count)], options.Concurrency, gateway);
        await Measurement.RunAsync("warm-up", directPaths[..Math.Min(500, directPaths.Count)], options.Concurrency, direct);
        Console.WriteLine();
        var ratios = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            // A fresh token each round (it lives a minute); which side goes first alternates.
            direct.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", InternalToken(signingKey!, userId));
            async Task<Measurement> Straight() => await Measurement.RunAsync("straight to Catalog", directPaths, options.Concurrency, direct);
            async Task<Measurement> Through() => await Measurement.RunAsync("through the gateway", gatewayPaths, options.Concurrency, gateway);
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
            Console.WriteLine($"  {g}");
            Console.WriteLine($"  round ratio {ratios[^1]:F2}");
        }

        // The median of the per-round ratios: a round disturbed by other work on the machine
        // moves it less than it would move a ratio of mean throughputs.
        var median = CatalogBenchmark.Median(ratios);
        Console.WriteLine($"gateway / direct throughput: {median:F2} (median of {Rounds} rounds: {string.Join(", ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}; means {viaGateway.Average(m => m.PerSecond):F0} vs {straight.Average(m => m.PerSecond):F0} req/s)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gateway: ratio={median:F2}"));
        return 0;
    }

    /// <summary>The token the gateway would mint for Catalog, minted here with the gateway's key (valid one minute).</summary>
    private static string InternalToken(string signingKey, Guid userId)
    {
        var now = DateTime.UtcNow;
        return TestTokens.Mint(TestTokens.GatewayCredentials(signingKey), userId.ToString(),
            TestTokens.GatewayIssuer, "catalog", TestTokens.InternalTokenType, now, now.AddMinutes(1),
            new Dictionary<string, object> { ["name"] = "Bench", ["role"] = Array.Empty<string>() });
    }
}
