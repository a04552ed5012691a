using Aspire.Hosting.Testing;
using System.Diagnostics;

namespace Matcha.Bench;

/// <summary>
/// Catalog at scale: a fresh Matcha (Postgres, Redis, Catalog as local processes), loaded with
/// generated films and people, then measured straight against the Catalog service:
/// search latency, film-detail latency uncached (each film read for the first time) and cached
/// (the same films again), and the cached/uncached throughput ratio.
/// </summary>
internal static class CatalogBenchmark
{
    private static readonly string[] Resources = ["postgres", "catalogdb", "redis", "catalog"];

    public static async Task<int> RunAsync(BenchOptions options)
    {
        Console.WriteLine($"Catalog benchmark: {options.Films:N0} films, {options.People:N0} people, {options.Requests:N0} detail requests, concurrency {options.Concurrency}");
        Console.WriteLine("Starting Postgres, Redis and Catalog as local processes...");
        await using var app = await BenchApp.StartAsync(Resources);

        var stopwatch = Stopwatch.StartNew();
        var connectionString = await app.GetConnectionStringAsync("catalogdb") ?? throw new InvalidOperationException("no catalogdb");
        await CatalogDataGenerator.LoadAsync(connectionString, options.Films, options.People,
            message => Console.WriteLine($"  {stopwatch.Elapsed.TotalSeconds,6:F1} s  {message}"));

        using var client = app.CreateHttpClient("catalog", "http");
        var ids = await FilmIdsAsync(connectionString, options.Requests);
        await Measurement.RunAsync("warm-up", [.. Enumerable.Repeat("/movies?sort=title", 50)], options.Concurrency, client);

        var searches = new List<Measurement>();
        foreach (var kind in CatalogDataGenerator.QueryKinds)
        {
            var queries = CatalogDataGenerator.Queries(kind, Math.Max(50, options.Requests / 40));
            searches.Add(await Measurement.RunAsync($"search, {kind}", [.. queries.Select(q => $"/movies?q={Uri.EscapeDataString(q)}")], options.Concurrency, client));
            searches.Add(await Measurement.RunAsync($"films+people, {kind}", [.. queries.Select(q => $"/search?q={Uri.EscapeDataString(q)}")], options.Concurrency, client));
        }
        var uncached = await Measurement.RunAsync("detail, uncached", [.. ids.Select(id => $"/movies/{id}")], options.Concurrency, client);
        var cached = await Measurement.RunAsync("detail, cached", [.. ids.Select(id => $"/movies/{id}")], options.Concurrency, client);

        Console.WriteLine();
        searches.ForEach(Console.WriteLine);
        Console.WriteLine(uncached);
        Console.WriteLine(cached);
        Console.WriteLine($"cached / uncached detail throughput: {cached.PerSecond / uncached.PerSecond:F1}x (p50 latency {uncached.Percentile(50) / cached.Percentile(50):F1}x lower)");
        return 0;
    }

    private static async Task<List<int>> FilmIdsAsync(string connectionString, int count)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT id FROM movies ORDER BY random() LIMIT $1", connection) { Parameters = { new() { Value = count } } };
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<int>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt32(0));
        }
        return ids;
    }
}
