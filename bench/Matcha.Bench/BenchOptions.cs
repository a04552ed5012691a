using System.Globalization;

namespace Matcha.Bench;

internal sealed record BenchOptions(int Films, int People, int Requests, int Concurrency, bool Standby = false)
{
    /// <param name="requests">The default of <c>--requests</c>: a benchmark whose request is much cheaper than the others' takes more.</param>
    public static BenchOptions Parse(string[] args, int requests = 5_000)
    {
        var options = new BenchOptions(Films: 100_000, People: 300_000, Requests: requests, Concurrency: 16);
        if (args.Contains("--standby"))
        {
            // catalog --standby: read throughput with and without a Postgres standby (CatalogBenchmark.CompareStandbyAsync).
            options = options with { Standby = true };
            args = [.. args.Where(arg => arg != "--standby")];
        }
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--films" => options with { Films = value },
                "--people" => options with { People = value },
                "--requests" => options with { Requests = value },
                "--concurrency" => options with { Concurrency = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}"),
            };
        }
        return options;
    }
}
