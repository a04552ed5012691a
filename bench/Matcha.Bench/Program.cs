using Matcha.Bench;

// dotnet run -c Release --project bench/Matcha.Bench -- <benchmark> [options]
return args switch
{
    ["catalog", .. var rest] => await CatalogBenchmark.RunAsync(BenchOptions.Parse(rest)),
    ["gateway", .. var rest] => await GatewayBenchmark.RunAsync(BenchOptions.Parse(rest)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: dotnet run -c Release --project bench/Matcha.Bench -- <benchmark> [--films N] [--people N] [--requests N] [--concurrency N]

          gateway   an authenticated, cached read through the gateway and straight to Catalog, in
                    alternating rounds: throughput and latency percentiles of each, and their ratio.
          catalog   loads generated films and people into a fresh Matcha (local Postgres and Redis),
                    then prints search and film-detail latency percentiles and the ratio of cached
                    to uncached detail throughput, measured in one run.
        """);
    return 2;
}
