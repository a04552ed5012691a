using Matcha.Bench;
using Matcha.Bench.Load;

// dotnet run -c Release --project bench/Matcha.Bench -- <benchmark> [options]
return args switch
{
    ["catalog", .. var rest] => await CatalogBenchmark.RunAsync(BenchOptions.Parse(rest)),
    ["search-index", .. var rest] => SearchIndexBenchmark.Run(BenchOptions.Parse(rest)),
    ["feed", .. var rest] => await FeedBenchmark.RunAsync(rest),
    // A cached read is a tenth of a millisecond: a pass of 5,000 lasted under a second, which one of the services'
    // periodic tasks or a late JIT tier moved by half. 20,000 a pass, 2–4 s.
    ["gateway", .. var rest] => await GatewayBenchmark.RunAsync(BenchOptions.Parse(rest, requests: 20_000)),
    ["screens", .. var rest] => await ScreensBenchmark.RunAsync(BenchOptions.Parse(rest)),
    ["load", .. var rest] when LoadOptions.Parse(rest) is { Scale: true } scale => await ScaleBenchmark.RunAsync(scale),
    ["load", .. var rest] => await LoadBenchmark.RunAsync(LoadOptions.Parse(rest)),
    ["api-styles", .. var rest] => await ApiStylesBenchmark.RunAsync(rest),
    ["events", ..] => Retired("events", "load"),
    ["evaluate", var path, .. var rest] => EvaluateCommand.Run(path, rest),
    ["tune", var path] => TuneCommand.Run(path),
    ["tune", var path, "--wide"] => TuneCommand.Run(path, wide: true),
    ["predict", var path, .. var rest] => await PredictBenchmark.RunAsync(path, BenchOptions.Parse(rest)),
    ["train-scale", var path, .. var rest] => TrainScaleCommand.Run(path, rest),
    ["foldin", var path, .. var rest] => FoldInCommand.Run(path, rest),
    _ => Usage(),
};

static int Retired(string command, string replacement)
{
    Console.Error.WriteLine($"`{command}` was replaced by `{replacement}` (see docs/performance.md).");
    return Usage();
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage: dotnet run -c Release --project bench/Matcha.Bench -- <benchmark> [--films N] [--people N] [--requests N] [--concurrency N]
               dotnet run -c Release --project bench/Matcha.Bench -- load [--users 200] [--concurrency 32] [--seconds 60] [--rate N] [--relay notify|cdc|both] [--chaos] [--scale]
               dotnet run -c Release --project bench/Matcha.Bench -- api-styles [--requests 5000] [--concurrency 16] [--rounds 5]
               dotnet run -c Release --project bench/Matcha.Bench -- evaluate <MovieLens folder, ratings.csv or u.data> [--split random|time] [--folds 5] [--seed 42] [--checkpoints 10]
               dotnet run -c Release --project bench/Matcha.Bench -- tune <MovieLens folder> [--wide]
               dotnet run -c Release --project bench/Matcha.Bench -- predict <ml-latest-small folder> [--requests N] [--concurrency N]
               dotnet run -c Release --project bench/Matcha.Bench -- train-scale <ml-latest-small folder> [--sizes 100000,1000000,5000000] [--sweeps 10]
               dotnet run -c Release --project bench/Matcha.Bench -- foldin <ml-latest-small folder> [--samples 32,64] [--rounds 5] [--repeats 400]

          gateway   an authenticated, cached read through the gateway and straight to Catalog, both
                    on their own ports, warmed up, in 5 rounds whose first side alternates: each round
                    and the median ratio (--requests per pass, default 20,000); last line
                    "gateway: ratio=…". Gateway__PageCache__Lifetime=00:00:00 in the environment
                    measures it with the gateway's page cache off.
          load      signed-in users writing through the gateway (ratings 70 %, wishlist 20 %, comments
                    10 %) against the limit (the same statements from a bare Npgsql client) and without
                    the outbox row, alternating rounds that drain in between; then the event lag from
                    commit in Ratings to commit in Catalog at --rate writes/s (default 200) for --seconds,
                    and the acknowledged writes Catalog's statistics miss (lost). --chaos restarts Redis
                    and kills Ratings and Catalog (kill -9) during the steady phase. (It replaces the
                    old `events` command, which drove Ratings' write code in-process.) --relay cdc runs
                    every outbox through the change-data-capture relay instead of notify (the default);
                    --relay both runs once with each and prints them side by side. --scale runs only the
                    throughput rounds, on a Matcha with one and then two replicas of each service; last
                    line "scale: r1_per_s=… r2_per_s=…" (on 2 cores: the overhead of replicas, not a gain).
          api-styles  the same 50 film cards from Catalog over REST/JSON and over gRPC/protobuf, alternating
                    rounds: throughput, p50/p99, bytes per response, Catalog's CPU per request; last line
                    "api-styles: grpc_over_rest_throughput=… rest_bytes=… grpc_bytes=…".
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
          foldin    a request's model work for one user (fold-in from 71 ratings, 50 predictions) with
                    models keeping 32 and 64 samples, alternating rounds; last line "foldin: … ratio=…".
          catalog   loads generated films and people into a fresh Matcha (local Postgres and Redis),
                    warms up every endpoint, then prints search p50/p99 per query kind, uncached
                    film detail, and cached detail against bare Kestrel serving the same bytes
                    (the limit) in 5 alternating rounds; last line "catalog: search_p50_ms_max=…
                    search_p99_ms_max=… cached_per_s=… limit_per_s=… ratio=…". With --standby: two
                    fresh Matchas, one with a Postgres standby for Catalog's public reads, loaded alike;
                    searches and uncached details in 5 alternating rounds; last line "standby:
                    search_primary_per_s=… search_standby_per_s=… detail_primary_per_s=… …" (on one
                    machine both servers share the cores: the standby's overhead, not its gain).
          screens   loads the catalog benchmark's films and people, a user who rated 500 of them and a
                    trained model into a fresh Matcha, warms up every screen, then prints p50/p99 per
                    screen through the gateway (signed in: home, film, person, my page, rate to start;
                    anonymous: home, film, person), --requests per screen (default 5,000), and from
                    each answer's Server-Timing the requests it sent to each service and their p50/p99,
                    the answers that left a part out (degraded), and CPU ms per screen by process;
                    last line "screens: p99_ms_max=… calls_per_service_max=…".
          search-index  Catalog's in-memory search index alone at the same size (--films, --people):
                    build time, heap, CPU µs per search per query kind; last line
                    "search-index: cpu_us_per_search_max=…".
          feed      a reader following 500 of 1,000 members who each rated 1,000 films, loaded into a
                    fresh Social; the feed's first page and pages 2-51, straight against Social
                    (default --requests 1000 per pass); last line "feed: p50_ms=… p99_ms=…".
        """);
    return 2;
}
