using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Matcha.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace Matcha.Bench;

/// <summary>
/// Prediction latency with a real model: ml-latest-small (100,836 ratings by 610 people of 9,742
/// films) is loaded straight into a fresh ratingsdb — the films into Ratings' own film copy with
/// ids offset by 1,000,000 so they never meet the seeded catalogue's — the model is trained through
/// the admin endpoint, and a signed-in user who carries one MovieLens user's ratings (the one with
/// the median number of ratings) asks through the gateway for one prediction, a page of 50, and
/// recommendations; then the p99 of predictions and rating writes with and without a training
/// running beside them (<see cref="TrainingLoad"/>).
/// </summary>
internal static partial class PredictBenchmark
{
    private const int FilmIdOffset = 1_000_000;

    // Requests per second of the mix measured with and without a training beside it.
    private const int TrainingLoadRate = 40;

    // 70 s of the mix with no training: about as long as a training on ml-latest-small.
    private const int IdleRequests = 70 * TrainingLoadRate;

    public static async Task<int> RunAsync(string dataFolder, BenchOptions options)
    {
        var ratingsCsv = Path.Combine(dataFolder, "ratings.csv");
        var moviesCsv = Path.Combine(dataFolder, "movies.csv");
        if (!File.Exists(ratingsCsv) || !File.Exists(moviesCsv))
        {
            Console.Error.WriteLine($"{dataFolder} must hold ratings.csv and movies.csv (ml-latest-small).");
            return 2;
        }
        Console.WriteLine("Starting Matcha (local Postgres and Redis)...");
        await using var app = await BenchApp.StartAsync(resources: null, builder => builder
            .CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "gateway"))
            .WithEnvironment("Gateway__RateLimits__UserBurst", "1000000")
            .WithEnvironment("Gateway__RateLimits__UserPerSecond", "1000000"));
        using var gateway = app.CreateHttpClient("gateway", "http");
        var (tokens, userId) = await gateway.SignUpAndLoginAsync();

        var films = ReadFilms(moviesCsv);
        var ratings = File.ReadLines(ratingsCsv).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).Select(f =>
            (User: int.Parse(f[0], CultureInfo.InvariantCulture), Film: int.Parse(f[1], CultureInfo.InvariantCulture) + FilmIdOffset,
             Score: decimal.Parse(f[2], CultureInfo.InvariantCulture),
             // When it was given: the model fits each user's shift per day.
             At: DateTimeOffset.FromUnixTimeSeconds(long.Parse(f[3], CultureInfo.InvariantCulture)))).ToList();
        var perUser = ratings.GroupBy(r => r.User).OrderBy(g => g.Count()).ToList();
        var median = perUser[perUser.Count / 2];
        var users = perUser.ToDictionary(g => g.Key, g => g.Key == median.Key ? userId : Guid.NewGuid());

        var loading = Stopwatch.StartNew();
        await using (var connection = new NpgsqlConnection(await app.GetConnectionStringAsync("ratingsdb")))
        {
            await connection.OpenAsync();
            await using (var copy = await connection.BeginBinaryImportAsync("COPY movies (id, year, genres, people_ids, version) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var (id, year, genres) in films)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(id, NpgsqlDbType.Integer);
                    await copy.WriteAsync(year, NpgsqlDbType.Integer);
                    await copy.WriteAsync(genres, NpgsqlDbType.Array | NpgsqlDbType.Text);
                    await copy.WriteAsync(Array.Empty<int>(), NpgsqlDbType.Array | NpgsqlDbType.Integer);
                    await copy.WriteAsync(1L, NpgsqlDbType.Bigint);
                }
                await copy.CompleteAsync();
            }
            await using (var copy = await connection.BeginBinaryImportAsync("COPY ratings (user_id, movie_id, score, version, updated_at) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var (user, film, score, at) in ratings)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(users[user], NpgsqlDbType.Uuid);
                    await copy.WriteAsync(film, NpgsqlDbType.Integer);
                    await copy.WriteAsync(score, NpgsqlDbType.Numeric);
                    await copy.WriteAsync(1L, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
                }
                await copy.CompleteAsync();
            }
        }
        Console.WriteLine($"Loaded {films.Count:N0} films and {ratings.Count:N0} ratings by {perUser.Count} users into ratingsdb in {loading.Elapsed.TotalSeconds:F1} s; "
            + $"the benchmark user carries MovieLens user {median.Key}'s {median.Count()} ratings");

        var (model, admin) = await TrainAsync(app, gateway, ratings.Count);
        Console.WriteLine($"Trained {model.GetProperty("algorithm").GetString()} on {model.GetProperty("ratingCount").GetInt32():N0} ratings in "
            + $"{model.GetProperty("trainingSeconds").GetDouble():F1} s (the served fit, then the hold-out fit); hold-out RMSE {model.GetProperty("holdOutRmse").GetDouble():F4}, "
            + $"baseline {model.GetProperty("baselineHoldOutRmse").GetDouble():F4}");

        gateway.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        var random = new Random(11);
        var ids = films.Select(f => f.Id).ToArray();
        var one = Enumerable.Range(0, options.Requests).Select(_ => $"/api/ratings/me/predictions/{ids[random.Next(ids.Length)]}").ToList();
        var pages = Enumerable.Range(0, options.Requests / 2)
            .Select(_ => "/api/ratings/me/predictions?movieIds=" + string.Join(',', Enumerable.Range(0, 50).Select(_ => ids[random.Next(ids.Length)]))).ToList();
        string[] filters = ["", "genre=Drama&", "genre=Comedy&", "genre=Horror&", "includeUnreleased=true&"];
        var recommendations = Enumerable.Range(0, options.Requests / 4).Select(i => $"/api/ratings/me/recommendations?{filters[i % filters.Length]}limit=20").ToList();

        await Measurement.RunAsync("warm-up", [.. one.Take(200), .. pages.Take(50), .. recommendations.Take(50)], options.Concurrency, gateway);
        Measurement[] results =
        [
            await Measurement.RunAsync("one prediction", one, options.Concurrency, gateway),
            await Measurement.RunAsync("a page of 50 predictions", pages, options.Concurrency, gateway),
            await Measurement.RunAsync("recommendations (20)", recommendations, options.Concurrency, gateway),
            await AfterARatingAsync(gateway, ids, options.Requests / 10, random),
        ];
        Console.WriteLine();
        Console.WriteLine($"through the gateway, {options.Concurrency} concurrent requests, {ratings.Count:N0} ratings loaded:");
        foreach (var result in results)
        {
            Console.WriteLine(result);
        }

        using var writer = app.CreateHttpClient("gateway", "http");
        writer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await writer.SignUpAndLoginAsync()).Tokens.AccessToken);
        // Writes go to films with a year: Ratings refuses to rate one it cannot tell is released (409).
        int[] rateable = [.. films.Where(f => f.Year > 0).Select(f => f.Id)];
        var (idle, training, trainingSeconds) = await TrainingLoad.RunAsync(gateway, writer, admin, rateable, IdleRequests, TrainingLoadRate);
        TrainingLoad.Print(idle, training, trainingSeconds);
        return 0;
    }

    /// <summary>
    /// The uncached path: the user rates a film (the rating itself is not timed), then asks for a
    /// prediction, which must fold them in afresh. One user rates one film at a time, so sequential.
    /// </summary>
    private static async Task<Measurement> AfterARatingAsync(HttpClient gateway, int[] ids, int count, Random random)
    {
        var latencies = new double[count];
        var total = TimeSpan.Zero;
        for (var i = 0; i < count; i++)
        {
            var rated = ids[random.Next(ids.Length)];
            using (var rate = await gateway.PutAsJsonAsync($"/api/ratings/movies/{rated}/rating", new { score = 0.5m * random.Next(1, 11) }))
            {
                rate.EnsureSuccessStatusCode();
            }
            var started = Stopwatch.GetTimestamp();
            using var response = await gateway.GetAsync($"/api/ratings/me/predictions/{ids[random.Next(ids.Length)]}");
            response.EnsureSuccessStatusCode();
            await response.Content.LoadIntoBufferAsync();
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            total += Stopwatch.GetElapsedTime(started);
        }
        return new Measurement("one prediction right after rating", count, total, latencies);
    }

    /// <summary>Asks for a training as the admin and waits until the served model has learnt from at least <paramref name="ratings"/> ratings.</summary>
    internal static async Task<(JsonElement Model, string AdminToken)> TrainAsync(DistributedApplication app, HttpClient gateway, int ratings)
    {
        var parameters = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>().ToList();
        var email = await parameters.Single(p => p.Name == "admin-email").GetValueAsync(CancellationToken.None);
        var password = await parameters.Single(p => p.Name == "admin-password").GetValueAsync(CancellationToken.None);
        var admin = (await gateway.LoginAsync(email!, password!)).AccessToken;

        using var train = new HttpRequestMessage(HttpMethod.Post, "/api/ratings/admin/recommendations/train");
        train.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        (await gateway.SendAsync(train)).EnsureSuccessStatusCode();
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(1000);
            using var status = new HttpRequestMessage(HttpMethod.Get, "/api/ratings/admin/recommendations/model");
            status.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
            using var response = await gateway.SendAsync(status);
            var model = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("model");
            if (model.ValueKind == JsonValueKind.Object && model.GetProperty("ratingCount").GetInt32() >= ratings)
            {
                return (model.Clone(), admin);
            }
        }
        throw new TimeoutException("No model trained on every rating within 10 minutes.");
    }

    /// <summary>movies.csv: movieId,title,genres — titles may be quoted and hold commas; the year ends the title.</summary>
    private static List<(int Id, int Year, string[] Genres)> ReadFilms(string path) =>
    [
        .. File.ReadLines(path).Skip(1).Where(l => l.Length > 0).Select(line =>
        {
            var id = int.Parse(line[..line.IndexOf(',', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            var genres = line[(line.LastIndexOf(',') + 1)..];
            var year = YearInTitle().Match(line) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            string[] listed = genres == "(no genres listed)" ? [] : genres.Split('|');
            return (id + FilmIdOffset, year, listed);
        }),
    ];

    [GeneratedRegex(@"\((\d{4})\)\s*""?,")]
    private static partial Regex YearInTitle();
}
