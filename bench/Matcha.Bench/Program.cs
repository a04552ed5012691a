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
    ["train-scale", var path, .. var rest] => TrainScaleCommand.Run(path, rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: dotnet run -c Release --project bench/Matcha.Bench -- <benchmark> [--films N] [--people N] [--requests N] [--concurrency N]
               dotnet run -c Release --project bench/Matcha.Bench -- events [--writes N] [--rounds N] [--concurrency N] [--rate N] [--seconds N]
               dotnet run -c Release --project bench/Matcha.Bench -- evaluate <MovieLens folder, ratings.csv or u.data> [--split random|time] [--folds 5] [--seed 42] [--checkpoints 10]
               dotnet run -c Release --project bench/Matcha.Bench -- tune <MovieLens folder> [--wide]
               dotnet run -c Release --project bench/Matcha.Bench -- predict <ml-latest-small folder> [--requests N] [--concurrency N]
               dotnet run -c Release --project bench/Matcha.Bench -- train-scale <ml-latest-small folder> [--sizes 100000,1000000,5000000] [--sweeps 10]

          gateway   an authenticated, cached read through the gateway and straight to Catalog, in
                    alternating rounds: throughput and latency percentiles of each, and their ratio.
          events    rating writes per second through Ratings' write path with the outbox and with the
                    outbox row left out (alternating rounds, one run, their ratio), then the event lag
                    from the commit in Ratings to Catalog applying it, p50/p95/p99 at a steady rate.
          evaluate  the recommendation models (global mean, baseline, SVD, SVD++, the served Bayesian
                    model sampled and as served: folded in, with and without the held-out day) by
                    k-fold cross-validation or a time-ordered split: RMSE and MAE, fit time per fold.
          tune      the hyper-parameter grid behind the chosen SVD and SVD++ values, each combination
                    scored by 3-fold cross-validation, best first; --wide scores SVD++ with more
                    epochs, a higher learning rate and regularisation around the chosen one.
          predict   loads ml-latest-small's 100,836 ratings into a fresh Matcha, trains the model, then
                    prints latency percentiles through the gateway for one predicted rating, a page
                    of 50, and a user's recommendations; then the p99 of predictions and rating writes
                    with no training and while a training runs, side by side.
          train-scale  the served model's training time at 100k, 1M and 5M ratings shaped like
                    ml-latest-small: time per sweep measured, the full training projected.
          catalog   loads generated films and people into a fresh Matcha (local Postgres and Redis),
                    then prints search and film-detail latency percentiles and the ratio of cached
                    to uncached detail throughput, measured in one run.
        """);
    return 2;
}
