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
    public sealed record Result(Measurement Predictions, Measurement Writes, IReadOnlyList<(double SentAt, double Ms)> Sent);

    public static async Task<(Result Idle, Result Training, double TrainingSeconds)> RunAsync(
        HttpClient predicting, HttpClient writing, string adminToken, int[] films, int requests, int perSecond)
    {
        // The idle phase is as long as a training on ml-latest-small (about 70 s), so both p99s rest
        // on about as many requests and as much time for a rare event to fall in.
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
        var sent = new List<(double SentAt, double Ms)>();
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
            var at = clock.Elapsed.TotalSeconds;
            inFlight.Add(i % 4 == 3
                ? TimeAsync(writes, sent, at, () => writing.PutAsJsonAsync($"/api/ratings/movies/{film}/rating", new { score = 0.5m * random.Next(1, 11) }))
                : TimeAsync(predictions, sent, at, () => predicting.GetAsync($"/api/ratings/me/predictions/{film}")));
        }
        await Task.WhenAll(inFlight);
        var elapsed = clock.Elapsed;
        return new Result(
            new Measurement($"predictions, {phase}", predictions.Count, elapsed, [.. predictions]),
            new Measurement($"rating writes, {phase}", writes.Count, elapsed, [.. writes]),
            sent);
    }

    private static async Task TimeAsync(List<double> latencies, List<(double, double)> sent, double at, Func<Task<HttpResponseMessage>> send)
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
        lock (sent)
        {
            sent.Add((at, elapsed));
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
        // Where the slowest 1 % fell: spread evenly, or at one stage of the training (reading the
        // ratings, the fits, the hold-out scoring, storing the model)?
        foreach (var (phase, result, seconds) in new[] { ("idle", idle, idle.Predictions.Elapsed.TotalSeconds), ("during training", training, trainingSeconds) })
        {
            var slowest = result.Sent.OrderByDescending(r => r.Ms).Take(Math.Max(1, result.Sent.Count / 100)).ToList();
            var tenths = new int[10];
            foreach (var (sentAt, _) in slowest)
            {
                tenths[Math.Clamp((int)(10 * sentAt / seconds), 0, 9)]++;
            }
            Console.WriteLine($"slowest 1 % ({slowest.Count}, ≥ {slowest[^1].Ms:F1} ms) {phase}, by tenth of the phase: {string.Join(' ', tenths)}");
        }
        var (predictionRatio, writeRatio) = (training.Predictions.Percentile(99) / idle.Predictions.Percentile(99), training.Writes.Percentile(99) / idle.Writes.Percentile(99));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"p99 during training / idle: predictions {predictionRatio:F2}, rating writes {writeRatio:F2} (issue's target ≤ 1.5)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"predict: prediction_p99_ratio={predictionRatio:F2} write_p99_ratio={writeRatio:F2} prediction_p99_idle_ms={idle.Predictions.Percentile(99):F1} prediction_p99_training_ms={training.Predictions.Percentile(99):F1} write_p99_idle_ms={idle.Writes.Percentile(99):F1} write_p99_training_ms={training.Writes.Percentile(99):F1}"));
    }
}
