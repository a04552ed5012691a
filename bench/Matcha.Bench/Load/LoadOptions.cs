using System.Globalization;

namespace Matcha.Bench.Load;

/// <summary>
/// <c>load [--users 200] [--concurrency 32] [--seconds 60] [--rate N] [--relay notify|cdc|both] [--chaos] [--scale] [--client-nice 10]</c>;
/// <c>both</c> runs it once per relay and prints the two side by side; <c>--scale</c> runs only the
/// throughput rounds, with one and with two replicas of each service (<see cref="ScaleBenchmark"/>).
/// <see cref="Seconds"/> is the steady-rate phase (event lag); each throughput round lasts a sixth of it
/// (at most 10 s with <see cref="Chaos"/>). <see cref="ClientNice"/> is the benchmark's own session's nice in the steady
/// phase (<see cref="KernelScheduler.YieldCores"/>), 0 to 19.
/// </summary>
internal sealed record LoadOptions(int Users, int Concurrency, int Seconds, int Rate, string Relay, bool Chaos, int Rounds, bool Scale = false, int ClientNice = 10)
{
    /// <summary>A soak (<see cref="Chaos"/>) is about its steady phase: its throughput rounds stay short.</summary>
    public TimeSpan RoundLength => TimeSpan.FromSeconds(Chaos ? Math.Min(10, Math.Max(3, Seconds / 6.0)) : Math.Max(3, Seconds / 6.0));

    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions(Users: 200, Concurrency: 32, Seconds: 60, Rate: 200, Relay: "notify", Chaos: false, Rounds: 3);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--chaos")
            {
                options = options with { Chaos = true };
                continue;
            }
            if (args[i] == "--scale")
            {
                options = options with { Scale = true };
                continue;
            }
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{args[i]} needs a value");
            }
            var value = args[++i];
            options = args[i - 1] switch
            {
                "--users" => options with { Users = Number(value) },
                "--concurrency" => options with { Concurrency = Number(value) },
                "--seconds" => options with { Seconds = Number(value) },
                "--rate" => options with { Rate = Number(value) },
                "--rounds" => options with { Rounds = Number(value) },
                "--client-nice" => options with { ClientNice = Nice(value) },
                // The AppHost's events-relay parameter: the outbox table's relay, or change data capture.
                "--relay" when value is "notify" or "cdc" or "both" => options with { Relay = value },
                _ => throw new ArgumentException($"Unknown option {args[i - 1]} {value}"),
            };
        }
        return options;
    }

    private static int Nice(string value) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out var nice) && nice is >= 0 and <= 19 ? nice : throw new ArgumentException($"--client-nice {value} is not a nice from 0 to 19");

    private static int Number(string value) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out var number) && number > 0 ? number : throw new ArgumentException($"{value} is not a positive number");
}
