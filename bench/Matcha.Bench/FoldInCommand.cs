using System.Diagnostics;
using System.Globalization;
using Matcha.Recommendations.Evaluation;
using Matcha.Recommendations.Model;

namespace Matcha.Bench;

/// <summary>
/// What the number of kept samples costs a request, in process: the served path's work for one user
/// (fold-in from their ratings, then a page of 50 predictions) with models keeping different numbers
/// of samples, timed in alternating rounds in one run. The cost depends on samples × factors and the
/// user's ratings, not on how long the chain ran, so the models are sampled briefly (--sweeps past
/// the samples kept). The user is MovieLens user 143 (71 ratings, the median), as in <c>predict</c>.
/// </summary>
internal static class FoldInCommand
{
    public static int Run(string path, string[] args)
    {
        int[] samples = [32, 64];
        var (rounds, repeats, burnIn) = (5, 400, 10);
        for (var a = 0; a + 1 < args.Length; a += 2)
        {
            var value = args[a + 1];
            switch (args[a])
            {
                case "--samples": samples = [.. value.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))]; break;
                case "--rounds": rounds = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--repeats": repeats = int.Parse(value, CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Unknown option {args[a]}");
            }
        }
        var (ratings, users, films) = MovieLensRatings.Load(path);
        var genres = MovieLensRatings.LoadGenres(path, films);
        var user = users.IndexOf(143);
        var known = Enumerable.Range(0, ratings.Count).Where(r => ratings.Users[r] == user)
            .Select(r => (ratings.Items[r], ratings.Scores[r], (int?)ratings.Days[r])).ToArray();
        var today = known.Max(r => r.Item3!.Value) + 1;
        var page = Enumerable.Range(0, 50).Select(i => i * 97 % ratings.ItemCount).ToArray();
        var served = RecommendationDefaults.Bayesian;
        var models = samples.Select(s => BayesianFactorization.Fit(ratings, served with { KeptSamples = s, Iterations = burnIn + s, BurnIn = burnIn }, genres)).ToArray();
        Console.WriteLine($"{path}: MovieLens user 143's {known.Length} ratings folded in, then 50 predictions; " +
                          $"{served.Factors} factors; {rounds} rounds of {repeats}, the models alternating");
        var times = models.Select(_ => new List<double>()).ToArray();
        // CPU per operation too, per round (the process's, this loop being its only busy thread): on a
        // loaded machine a longer operation is pre-empted more often, which wall time would charge to it.
        var cpu = models.Select(_ => new List<double>()).ToArray();
        var process = Process.GetCurrentProcess();
        var sink = 0f;
        for (var round = 0; round < rounds + 1; round++)
        {
            for (var m = 0; m < models.Length; m++)
            {
                var model = models[(m + round) % models.Length];
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                for (var x = 0; x < repeats; x++)
                {
                    var start = Stopwatch.GetTimestamp();
                    var folded = model.FoldInUser(known, today);
                    foreach (var film in page)
                    {
                        sink += model.Predict(folded, film);
                    }
                    if (round > 0)   // the first round warms up
                    {
                        times[(m + round) % models.Length].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                }
                process.Refresh();
                if (round > 0)
                {
                    cpu[(m + round) % models.Length].Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds / repeats);
                }
            }
        }
        var medians = times.Select(t => Percentile(t, 0.5)).ToArray();
        var cpuMedians = cpu.Select(c => Percentile(c, 0.5)).ToArray();
        for (var m = 0; m < models.Length; m++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{samples[m],4} samples: fold-in + 50 predictions  p50 {medians[m],7:F3} ms  p99 {Percentile(times[m], 0.99),7:F3} ms  ({times[m].Count} timed); CPU {cpuMedians[m],7:F3} ms (median of rounds)"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"foldin: {string.Join(" ", samples.Select((s, m) => $"p50_ms_at_{s}={medians[m]:F3}"))} ratio={medians[^1] / medians[0]:F2} {string.Join(" ", samples.Select((s, m) => $"cpu_ms_at_{s}={cpuMedians[m]:F3}"))} cpu_ratio={cpuMedians[^1] / cpuMedians[0]:F2} checksum={sink:F0}"));
        return 0;
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
    }
}
