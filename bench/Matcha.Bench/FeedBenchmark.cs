using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Matcha.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Matcha.Bench;

/// <summary>
/// The feed at the size the issue names: a fresh Matcha (Postgres, Redis, Social as local
/// processes), 1,000 members who each rated 1,000 films (1,000,000 activities, interleaved in
/// time), a reader following the first 500 of them. Measured straight against Social with an
/// internal token, as the gateway would call it: the first page, then pages deeper in the feed
/// (each request follows a random earlier cursor), after a warm-up.
/// </summary>
internal static class FeedBenchmark
{
    private const int Followed = 500;
    private const int RatingsEach = 1_000;
    private static readonly string[] Resources = ["postgres", "socialdb", "redis", "social"];
    private static readonly Guid Reader = Guid.Parse("00000000-0000-0000-0000-000000000000");

    public static async Task<int> RunAsync(string[] args)
    {
        // A shorter default pass than the catalog's: each request reads 500 members' newest activities.
        // --permits N: Social's feed pages read at once (Social:Feed:Concurrency; default twice its cores).
        var permits = args.SkipWhile(a => a != "--permits").Skip(1).FirstOrDefault();
        var options = BenchOptions.Parse([.. args.Where((a, i) => a != "--permits" && (i == 0 || args[i - 1] != "--permits"))]);
        options = args.Contains("--requests") ? options : options with { Requests = 1_000 };
        Console.WriteLine($"Feed benchmark: a reader following {Followed} of {2 * Followed} members who each rated {RatingsEach:N0} films; {options.Requests:N0} requests per pass, concurrency {options.Concurrency}, Social's feed permits {permits ?? "default (2 x cores)"}");
        BuildConfiguration.Print();
        Console.WriteLine("Starting Postgres, Redis and Social as local processes...");
        await using var app = await BenchApp.StartAsync(Resources, permits is null ? null : builder =>
            builder.CreateResourceBuilder<ProjectResource>("social").WithEnvironment("Social__Feed__Concurrency", permits));

        var stopwatch = Stopwatch.StartNew();
        await LoadAsync(await app.GetConnectionStringAsync("socialdb") ?? throw new InvalidOperationException("no socialdb"));
        Console.WriteLine($"  {stopwatch.Elapsed.TotalSeconds,6:F1} s  loaded {2 * Followed * RatingsEach:N0} activities and {Followed} follows");

        using var client = app.CreateHttpClient("social", "http");
        client.DefaultRequestHeaders.Authorization = new("Bearer", await ReaderTokenAsync(app));

        // Cursors deep in the feed: a page's cursor is the id of its last item.
        var cursors = new List<string>();
        string? cursor = null;
        for (var page = 0; page < 50; page++)
        {
            using var response = await client.GetAsync(cursor is null ? "/feed" : $"/feed?cursor={cursor}");
            var body = System.Text.Json.JsonDocument.Parse(await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync());
            cursor = body.RootElement.GetProperty("nextCursor").GetString() ?? throw new InvalidOperationException("the feed ended early");
            cursors.Add(cursor);
        }

        Console.WriteLine("Warm-up...");
        await Measurement.RunAsync("warm-up", [.. Enumerable.Repeat("/feed", Math.Min(200, options.Requests))], options.Concurrency, client);
        var (first, firstCpu) = await Load.ServiceProcesses.WithCpuAsync(app, ["social", "postgres"],
            () => Measurement.RunAsync("feed, first page", [.. Enumerable.Repeat("/feed", options.Requests)], options.Concurrency, client));
        var (deeper, deeperCpu) = await Load.ServiceProcesses.WithCpuAsync(app, ["social", "postgres"], () => Measurement.RunAsync("feed, pages 2-51",
            [.. Enumerable.Range(0, options.Requests).Select(i => $"/feed?cursor={cursors[i % cursors.Count]}")], options.Concurrency, client));
        Console.WriteLine(first);
        Console.WriteLine(deeper);
        // Where a request's time went, independent of how busy the machine was: CPU per request.
        Console.WriteLine($"CPU per request, first page:  {firstCpu}");
        Console.WriteLine($"CPU per request, pages 2-51:  {deeperCpu}");
        double[] all = [.. first.LatenciesMs, .. deeper.LatenciesMs];
        var both = new Measurement("feed, all", all.Length, first.Elapsed + deeper.Elapsed, all);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"feed: p50_ms={both.Percentile(50):F1} p99_ms={both.Percentile(99):F1}"));
        return 0;
    }

    /// <summary>The members, follows and activities, written by SQL: a million events through the backbone would measure the backbone.</summary>
    private static async Task LoadAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            INSERT INTO members (user_id, handle, display_name, version, joined_at)
            SELECT ('00000000-0000-0000-0000-' || lpad(to_hex(i), 12, '0'))::uuid, gen_random_uuid(), 'member ' || i, 1, now()
            FROM generate_series(0, {2 * Followed}) i;
            INSERT INTO follows (follower_id, followee_id, created_at)
            SELECT '{Reader}', ('00000000-0000-0000-0000-' || lpad(to_hex(i), 12, '0'))::uuid, now() FROM generate_series(1, {Followed}) i;
            -- Without the triggers a row each (session_replication_role), then each member's newest at
            -- once, as migration FeedLatestActivity fills it: a million upserts of a thousand rows would
            -- leave a million dead versions behind for the first reads.
            SET session_replication_role = replica;
            INSERT INTO activities (user_id, kind, movie_id, score, occurred_at)
            SELECT ('00000000-0000-0000-0000-' || lpad(to_hex(u), 12, '0'))::uuid, 'Rated', f, 3.5, now()
            FROM generate_series(1, {RatingsEach}) f, generate_series(1, {2 * Followed}) u;
            SET session_replication_role = DEFAULT;
            INSERT INTO member_latest_activity (user_id, activity_id) SELECT user_id, max(id) FROM activities GROUP BY user_id;
            """, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
        // VACUUM runs on its own: not in the batch's implicit transaction.
        await using var vacuum = new NpgsqlCommand("VACUUM ANALYZE members, follows, activities, member_latest_activity", connection) { CommandTimeout = 600 };
        await vacuum.ExecuteNonQueryAsync();
    }

    private static async Task<string> ReaderTokenAsync(DistributedApplication app)
    {
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        var key = await model.Resources.OfType<ParameterResource>().Single(p => p.Name == "gateway-signing-key").GetValueAsync(CancellationToken.None);
        var now = DateTime.UtcNow;
        return TestTokens.Mint(TestTokens.GatewayCredentials(key!), Reader.ToString(), TestTokens.GatewayIssuer, "social", TestTokens.InternalTokenType,
            now, now.AddHours(1), new Dictionary<string, object> { ["name"] = "member 0", ["role"] = Array.Empty<string>() });
    }
}
