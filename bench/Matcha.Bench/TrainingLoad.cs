using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matcha.Bench;

/// <summary>
/// What a training run does to the requests it runs beside: the same steady mix of predictions
/// (one user) and rating writes (another user, so the first's fold-in stays cached) through the
/// gateway, first with no training, then while a full training runs, p50/p95/p99 of each side by
/// side. Requests are paced (a fixed rate, not as fast as possible), as users send them, so what is
/// measured is the wait a training adds, not how much throughput two busy cores have left.
/// </summary>
internal static class TrainingLoad
{
    public sealed record Result(Measurement Predictions, Measurement Writes);

    public static async Task<(Result Idle, Result Training, double TrainingSeconds)> RunAsync(
        HttpClient predicting, HttpClient writing, string adminToken, int[] films, int requests, int perSecond)
    {
        var idle = await MixAsync("idle", predicting, writing, films, requests, perSecond, until: null);
        var started = Stopwatch.StartNew();
        using (var train = new HttpRequestMessage(HttpMethod.Post, "/api/ratings/admin/recommendations/train"))
        {
            train.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
            (await predicting.SendAsync(train)).EnsureSuccessStatusCode();
        }
        while (!await IsTrainingAsync(predicting, adminToken))
        {
            await Task.Delay(100);
        }
        using var finished = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            while (await IsTrainingAsync(predicting, adminToken))
            {
                await Task.Delay(250);
            }
            await finished.CancelAsync();
        });
        // As many requests as the training lasts for, at the same rate: only requests sent while it runs count.
        var training = await MixAsync("during training", predicting, writing, films, int.MaxValue, perSecond, finished.Token);
        await watch;
        return (idle, training, started.Elapsed.TotalSeconds);
    }

    private static async Task<Result> MixAsync(
        string phase, HttpClient predicting, HttpClient writing, int[] films, int requests, int perSecond, CancellationToken? until)
    {
        var random = new Random(17);
        var predictions = new List<double>();
        var writes = new List<double>();
        var inFlight = new List<Task>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < requests && until is not { IsCancellationRequested: true }; i++)
        {
            // Paced: request i leaves at i / perSecond seconds, whatever the earlier ones are doing.
            var due = TimeSpan.FromSeconds((double)i / perSecond) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }
            var film = films[random.Next(films.Length)];
            inFlight.Add(i % 4 == 3
                ? TimeAsync(writes, () => writing.PutAsJsonAsync($"/api/ratings/movies/{film}/rating", new { score = 0.5m * random.Next(1, 11) }))
                : TimeAsync(predictions, () => predicting.GetAsync($"/api/ratings/me/predictions/{film}")));
        }
        await Task.WhenAll(inFlight);
        var elapsed = clock.Elapsed;
        return new Result(
            new Measurement($"predictions, {phase}", predictions.Count, elapsed, [.. predictions]),
            new Measurement($"rating writes, {phase}", writes.Count, elapsed, [.. writes]));
    }

    private static async Task TimeAsync(List<double> latencies, Func<Task<HttpResponseMessage>> send)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await send();
        response.EnsureSuccessStatusCode();
        await response.Content.LoadIntoBufferAsync();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        lock (latencies)
        {
            latencies.Add(elapsed);
        }
    }

    private static async Task<bool> IsTrainingAsync(HttpClient gateway, string adminToken)
    {
        using var status = new HttpRequestMessage(HttpMethod.Get, "/api/ratings/admin/recommendations/model");
        status.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await gateway.SendAsync(status);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("training").GetBoolean();
    }

    public static void Print(Result idle, Result training, double trainingSeconds)
    {
        Console.WriteLine();
        Console.WriteLine($"a paced mix (3 predictions : 1 rating write) with no training, then while a full training ran ({trainingSeconds:F1} s from the request):");
        foreach (var measurement in new[] { idle.Predictions, training.Predictions, idle.Writes, training.Writes })
        {
            Console.WriteLine(measurement);
        }
        var (predictionRatio, writeRatio) = (training.Predictions.Percentile(99) / idle.Predictions.Percentile(99), training.Writes.Percentile(99) / idle.Writes.Percentile(99));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"p99 during training / idle: predictions {predictionRatio:F2}, rating writes {writeRatio:F2} (issue's target ≤ 1.5)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"predict: prediction_p99_ratio={predictionRatio:F2} write_p99_ratio={writeRatio:F2} prediction_p99_idle_ms={idle.Predictions.Percentile(99):F1} prediction_p99_training_ms={training.Predictions.Percentile(99):F1} write_p99_idle_ms={idle.Writes.Percentile(99):F1} write_p99_training_ms={training.Writes.Percentile(99):F1}"));
    }
}
