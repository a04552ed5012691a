using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Matcha.Catalog.Movies;
using Matcha.ServiceDefaults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Matcha.Tests.Backbone;

/// <summary>
/// The collection "Matcha app, CDC relay, Redis Cluster" also runs Postgres with a streaming-replication
/// hot standby (<c>Matcha:Infrastructure:Postgres=Standby</c>; docs/scaling.md, "Postgres standby"):
/// Catalog's public reads go to it, writes and the reads that must see them to the primary.
/// </summary>
[Collection(MatchaCdcAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "AppHostVariant")]
public sealed class PostgresStandbyTests(MatchaCdcAppFixture fixture)
{
    private const string Standby = "postgres-standby";

    [Fact]
    public async Task CatalogsPublicReadsReachTheStandbyAndItsLagIsOnTheDashboard()
    {
        // The connection Catalog's public reads use opens on the standby.
        Assert.True(await fixture.QueryAsync<bool>("catalogdb-replica", "SELECT pg_is_in_recovery()"));

        // Searches (never cached) scan the films on the standby: its own count of scans of the table rises.
        using var anonymous = fixture.CreateGatewayClient();
        await AnsweringAsync(anonymous);
        var before = await StandbyScansOfMoviesAsync();
        for (var i = 0; i < 10; i++)
        {
            using var response = await anonymous.GetAsync($"/api/catalog/movies?q=standby{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var after = await EventsDriver.EventuallyAsync(StandbyScansOfMoviesAsync, scans => scans >= before + 10);
        Assert.True(after >= before + 10, $"The standby scanned movies {after - before} times for 10 searches.");

        var lag = await EventsDriver.EventuallyAsync(() => Task.FromResult(StandbyHealth()), report => report?.Status == HealthStatus.Healthy);
        Assert.Equal(HealthStatus.Healthy, lag?.Status);
        Assert.StartsWith("Replay lag", lag!.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAdminReadsAWriteBackAtOnceWhileTheStandbyLagsAndPublicReadsConvergeWhenItCatchesUp()
    {
        using var admin = await AdminClientAsync();
        using var anonymous = fixture.CreateGatewayClient();
        await AnsweringAsync(anonymous);
        var word = Word();
        using var create = await admin.PostAsJsonAsync("/api/catalog/movies", Input($"Replica {word}"));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var created = (await create.Content.ReadFromJsonAsync<MovieDetail>())!;

        // Read back at once, by anyone: the write fenced the film, so the cache is filled from the primary.
        Assert.Equal($"Replica {word}", (await anonymous.GetFromJsonAsync<MovieDetail>($"/api/catalog/movies/{created.Id}"))!.Titles["en"]);
        // Search reads the standby, which has it a moment later.
        Assert.Contains(created.Id, await EventsDriver.EventuallyAsync(() => TrySearchAsync(anonymous, word), ids => ids.Contains(created.Id)));

        var edited = Word();
        await OnStandbyAsync("SELECT pg_wal_replay_pause()");
        try
        {
            using var update = await admin.PutAsJsonAsync($"/api/catalog/movies/{created.Id}", Input($"Replica {edited}") with { Version = created.Version });
            Assert.Equal(HttpStatusCode.OK, update.StatusCode);

            // The standby has not replayed the edit...
            Assert.Equal($"Replica {word}", await OnStandbyAsync<string>("SELECT original_title FROM movies WHERE id = @p0", created.Id));
            Assert.DoesNotContain(created.Id, await SearchAsync(anonymous, edited));
            // ...yet the film's page, whose cache the edit dropped, shows it: refilled from the primary, not the lagging standby.
            var page = await anonymous.GetFromJsonAsync<MovieDetail>($"/api/catalog/movies/{created.Id}");
            Assert.Equal($"Replica {edited}", page!.Titles["en"]);
            Assert.Equal(created.Version + 1, page.Version);
            var list = await anonymous.GetFromJsonAsync<Page<MovieSummary>>($"/api/catalog/movies?country={Country}&sort=title");
            Assert.Contains(list!.Items, m => m.Id == created.Id && m.Titles["en"] == $"Replica {edited}");

            // The dashboard shows the lag growing past the threshold.
            var lagging = await EventsDriver.EventuallyAsync(() => Task.FromResult(StandbyHealth()), report => report?.Status == HealthStatus.Degraded,
                TimeSpan.FromMinutes(2));
            Assert.Equal(HealthStatus.Degraded, lagging?.Status);
        }
        finally
        {
            await OnStandbyAsync("SELECT pg_wal_replay_resume()");
        }

        Assert.Contains(created.Id, await EventsDriver.EventuallyAsync(() => TrySearchAsync(anonymous, edited), ids => ids.Contains(created.Id)));
        Assert.Equal(HealthStatus.Healthy, (await EventsDriver.EventuallyAsync(() => Task.FromResult(StandbyHealth()),
            report => report?.Status == HealthStatus.Healthy, TimeSpan.FromMinutes(2)))?.Status);
    }

    [Fact]
    public async Task PublicReadsFallBackToThePrimaryWhileTheStandbyIsDown()
    {
        using var admin = await AdminClientAsync();
        using var anonymous = fixture.CreateGatewayClient();
        await fixture.StopAsync(Standby);
        try
        {
            var word = Word();
            using var create = await admin.PostAsJsonAsync("/api/catalog/movies", Input($"Fallback {word}"));
            Assert.Equal(HttpStatusCode.Created, create.StatusCode);
            var created = (await create.Content.ReadFromJsonAsync<MovieDetail>())!;

            // A pooled connection to the stopped standby fails once; the next opens on the primary.
            var found = await EventsDriver.EventuallyAsync(() => TrySearchAsync(anonymous, word), ids => ids.Contains(created.Id));
            Assert.Contains(created.Id, found);
            Assert.Equal($"Fallback {word}", (await anonymous.GetFromJsonAsync<MovieDetail>($"/api/catalog/movies/{created.Id}"))!.Titles["en"]);
            // The standby's own health is not Healthy while it is down.
            Assert.NotEqual(HealthStatus.Healthy, fixture.App.ResourceNotifications.TryGetCurrentState(Standby, out var standby) ? standby.Snapshot.HealthStatus : null);
        }
        finally
        {
            await fixture.StartAgainAsync(Standby);
        }

        // Back, it catches up and serves the public reads again: Npgsql tries a host it found down again
        // 10 s later (Host Recheck Seconds), until then Catalog's replica connections open on the primary.
        Assert.True(await EventsDriver.EventuallyAsync(() => ReplicaInRecoveryAsync(), inRecovery => inRecovery));
        await Task.Delay(TimeSpan.FromSeconds(11));
        await AnsweringAsync(anonymous);
    }

    private async Task<bool> ReplicaInRecoveryAsync()
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("catalogdb-replica") + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_is_in_recovery()", connection);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Until five searches in a row answer: after the standby was stopped and started again (the fallback
    /// test), each of Catalog's pooled connections to the old standby process fails once.
    /// </summary>
    private static async Task AnsweringAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        for (var inARow = 0; inARow < 5;)
        {
            using var response = await client.GetAsync("/api/catalog/movies?q=answering");
            inARow = response.IsSuccessStatusCode ? inARow + 1 : 0;
            Assert.True(DateTime.UtcNow < deadline, "Catalog's searches did not answer five times in a row within a minute.");
        }
    }

    private static async Task<List<int>> TrySearchAsync(HttpClient client, string word)
    {
        using var response = await client.GetAsync($"/api/catalog/movies?q={word}");
        return response.IsSuccessStatusCode ? [.. (await response.Content.ReadFromJsonAsync<Page<MovieSummary>>())!.Items.Select(m => m.Id)] : [];
    }

    private const string Country = "XR";

    private HealthReportSnapshot? StandbyHealth() =>
        fixture.App.ResourceNotifications.TryGetCurrentState(Standby, out var standby)
            ? standby.Snapshot.HealthReports.SingleOrDefault(report => report.Name == $"{Standby}_lag")
            : null;

    private Task<long> StandbyScansOfMoviesAsync() => OnStandbyAsync<long>(
        "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = 'movies'");

    private async Task<T> OnStandbyAsync<T>(string sql, params object[] parameters)
    {
        // Not pooled: the fallback test stops the standby, which would leave a pooled connection dead.
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync(Standby) + ";Database=catalogdb;Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters.AddWithValue($"p{i}", parameters[i]);
        }
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private async Task OnStandbyAsync(string sql) => await OnStandbyAsync<object>(sql);

    private static async Task<List<int>> SearchAsync(HttpClient client, string word) =>
        [.. (await client.GetFromJsonAsync<Page<MovieSummary>>($"/api/catalog/movies?q={word}"))!.Items.Select(m => m.Id)];

    /// <summary>A word no film has: lower-case letters, so search matches it whole.</summary>
    private static string Word() => string.Concat(Enumerable.Range(0, 12).Select(_ => (char)('a' + Random.Shared.Next(26))));

    private static MovieInput Input(string title) => new(
        Titles: new() { ["en"] = title },
        OriginalTitle: title,
        OriginalLanguage: "en",
        Year: 2005,
        ReleaseDate: new DateOnly(2005, 4, 1),
        Runtime: 95,
        Genres: ["drama"],
        Countries: [Country],
        Synopsis: new() { ["en"] = "A film made for the standby test." },
        PosterUrl: null,
        ImdbId: null,
        TmdbId: null,
        Version: null);

    private async Task<HttpClient> AdminClientAsync()
    {
        var client = fixture.CreateGatewayClient();
        var tokens = await client.LoginAsync(await fixture.ParameterAsync("admin-email"), await fixture.ParameterAsync("admin-password"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        return client;
    }
}
