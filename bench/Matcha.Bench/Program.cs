using Matcha.Bench;

// dotnet run -c Release --project bench/Matcha.Bench -- <benchmark> [options]
return args switch
{
    ["catalog", .. var rest] => await CatalogBenchmark.RunAsync(BenchOptions.Parse(rest)),
    ["gateway", .. var rest] => await GatewayBenchmark.RunAsync(BenchOptions.Parse(rest)),
    ["events", .. var rest] => await EventsBenchmark.RunAsync(EventsBenchmark.Options.Parse(rest)),
    ["evaluate", var path, .. var rest] => EvaluateCommand.Run(path, rest),
    ["tune", var path] => TuneCommand.Run(path),
    ["tune", var path, "--wide"] => TuneCommand.Run(path, wide: true),
    ["predict", var path, .. var rest] => await PredictBenchmark.RunAsync(path, BenchOptions.Parse(rest)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: dotnet run -c Release --project bench/Matcha.Bench -- <benchmark> [--films N] [--people N] [--requests N] [--concurrency N]
               dotnet run -c Release --project bench/Matcha.Bench -- events [--writes N] [--rounds N] [--concurrency N] [--rate N] [--seconds N]
               dotnet run -c Release --project bench/Matcha.Bench -- evaluate <MovieLens folder, ratings.csv or u.data> [--folds 5]
               dotnet run -c Release --project bench/Matcha.Bench -- tune <MovieLens folder> [--wide]
               dotnet run -c Release --project bench/Matcha.Bench -- predict <ml-latest-small folder> [--requests N] [--concurrency N]

          gateway   an authenticated, cached read through the gateway and straight to Catalog, both
                    warmed up, in 5 rounds whose first side alternates: each round and the median
                    ratio; last line "gateway: ratio=…".
          events    rating writes per second through Ratings' write path with the outbox and with the
                    outbox row left out (alternating rounds, one run, their ratio), then the event lag
                    from the commit in Ratings to Catalog applying it, p50/p95/p99 at a steady rate.
          evaluate  k-fold cross-validation of the recommendation models (global mean, baseline, SVD,
                    SVD++): RMSE and MAE, mean ± std over folds, fit time per fold.
          tune      the hyper-parameter grid behind the chosen SVD and SVD++ values, each combination
                    scored by 3-fold cross-validation, best first; --wide scores SVD++ with more
                    epochs, a higher learning rate and regularisation around the chosen one.
          predict   loads ml-latest-small's 100,836 ratings into a fresh Matcha, trains the model, then
                    prints latency percentiles through the gateway for one predicted rating, a page
                    of 50, and a user's recommendations.
          catalog   loads generated films and people into a fresh Matcha (local Postgres and Redis),
                    warms up every endpoint, then prints search p50/p99 per query kind, uncached
                    film detail, and cached detail against bare Kestrel serving the same bytes
                    (the limit) in 5 alternating rounds; last line "catalog: search_p50_ms_max=…
                    search_p99_ms_max=… cached_per_s=… limit_per_s=… ratio=…".
        """);
    return 2;
}
