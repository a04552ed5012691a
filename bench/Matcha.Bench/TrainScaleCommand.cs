using System.Diagnostics;
using System.Globalization;
using Matcha.Recommendations.Evaluation;
using Matcha.Recommendations.Model;

namespace Matcha.Bench;

/// <summary>
/// How the served model's training grows with the number of ratings: ml-latest-small scaled up to
/// each size with its shape kept (<see cref="Generate"/>), the sampler timed for a few sweeps on one
/// thread, set-up left out, (a training's served fit is one thread) and the full training projected from the time per
/// sweep (a sweep costs the same from the first to the last: O(ratings × factors)).
/// </summary>
internal static class TrainScaleCommand
{
    public static int Run(string path, string[] args)
    {
        var sizes = new[] { 100_000, 1_000_000, 5_000_000 };
        var sweeps = 10;
        var served = RecommendationDefaults.Bayesian;
        for (var a = 0; a + 1 < args.Length; a += 2)
        {
            switch (args[a])
            {
                case "--sizes":
                    sizes = [.. args[a + 1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
                    break;
                case "--genres" when args[a + 1] is "on" or "off":
                    served = served with { Genres = args[a + 1] == "on" };
                    break;
                case "--sweeps":
                    sweeps = int.Parse(args[a + 1], CultureInfo.InvariantCulture);
                    break;
                default:
                    throw new ArgumentException($"Unknown option {args[a]}");
            }
        }
        var (source, _, films) = MovieLensRatings.Load(path);
        var genres = MovieLensRatings.LoadGenres(path, films);
        Console.WriteLine($"{path}: {source.Count:N0} ratings, {source.UserCount} users, {source.ItemCount} films, scaled to each size; " +
                          $"{sweeps} sweeps timed, the served {served.Iterations} projected");
        var perSweep = new List<(int Size, double Seconds)>();
        foreach (var size in sizes)
        {
            var ratings = Generate(source, size, seed: 5);
            // A fit of one sweep and one of 1 + n: the difference is n sweeps without the set-up and the model's assembly.
            // A copied film has its original's genres (Generate numbers copy c of film i as c × films + i).
            var features = genres is null ? null : new FilmFeatures([.. Enumerable.Range(0, ratings.ItemCount).Select(i => genres.OfFilm[i % source.ItemCount])]);
            var seconds = (Time(ratings, served, features, 1 + sweeps) - Time(ratings, served, features, 1)) / sweeps;
            perSweep.Add((size, seconds));
            var bounded = served.WithinBudget(ratings.Count).Iterations;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{ratings.Count,10:N0} ratings, {ratings.UserCount,7:N0} users, {ratings.ItemCount,6:N0} films: {seconds * 1000,8:F0} ms a sweep, " +
                $"{seconds * served.Iterations / 60,6:F1} min for {served.Iterations} sweeps; served with the budget: {bounded} sweeps, {seconds * bounded / 60,5:F1} min"));
        }
        var (first, last) = (perSweep[0], perSweep[^1]);
        var growth = Math.Log(last.Seconds / first.Seconds) / Math.Log((double)last.Size / first.Size);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"train-scale: {string.Join(" ", perSweep.Select(p => $"minutes_at_{p.Size}={p.Seconds * served.WithinBudget(p.Size).Iterations / 60:F1}"))} unbounded_minutes_at_{last.Size}={last.Seconds * served.Iterations / 60:F1} growth_exponent={growth:F2}"));
        return 0;
    }

    private static double Time(RatingSet ratings, BayesianOptions served, FilmFeatures? genres, int sweeps)
    {
        var stopwatch = Stopwatch.StartNew();
        BayesianFactorization.Fit(ratings, served with { Iterations = sweeps, BurnIn = sweeps - 1, KeptSamples = 1 }, served.Genres ? genres : null);
        return stopwatch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// ml-latest-small grown to <paramref name="size"/> ratings with its shape: users copied whole (each
    /// copy keeps a real user's number of ratings, days and taste, its scores moved by half a star at
    /// random on a third of them), films copied √scale times (so a film keeps its popularity
    /// relative to the others), each copied user rating the films of one copy.
    /// </summary>
    public static RatingSet Generate(RatingSet source, int size, int seed)
    {
        var random = new Random(seed);
        var scale = (double)size / source.Count;
        var filmCopies = Math.Max(1, (int)Math.Round(Math.Sqrt(scale)));
        var (users, items, scores, days) = (new List<int>(size), new List<int>(size), new List<float>(size), new List<int>(size));
        var sourceUsers = source.Users.ToArray();
        var byUser = Enumerable.Range(0, source.Count).GroupBy(r => sourceUsers[r]).Select(g => g.ToArray()).ToArray();
        var userCount = 0;
        while (users.Count < size)
        {
            var rows = byUser[random.Next(byUser.Length)];
            var copy = random.Next(filmCopies);
            var dayOffset = random.Next(-365, 365);
            foreach (var r in rows.TakeWhile(_ => users.Count < size))
            {
                users.Add(userCount);
                items.Add(source.Items[r] + copy * source.ItemCount);
                var jitter = random.Next(3) switch { 0 => -0.5f, 1 => 0.5f, _ => 0f };
                scores.Add(Math.Clamp(source.Scores[r] + jitter, RatingScale.Min, RatingScale.Max));
                days.Add((source.HasDays ? source.Days[r] : 0) + dayOffset);
            }
            userCount++;
        }
        return new RatingSet(userCount, source.ItemCount * filmCopies, [.. users], [.. items], [.. scores], [.. days]);
    }
}
