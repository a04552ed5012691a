using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Matcha.EventBus;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using StackExchange.Redis;

namespace Matcha.Tests.Support;

/// <summary>A signed-in user of the web app, as the event tests need one.</summary>
public sealed record Fan(Guid Id, string AccessToken);

/// <summary>Rating, wishing and commenting through the gateway, and looking at what followed.</summary>
public static class EventsDriver
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static async Task<Fan> NewFanAsync(this HttpClient gateway)
    {
        var (tokens, id) = await gateway.SignUpAndLoginAsync();
        return new Fan(id, tokens.AccessToken);
    }

    public static async Task<Fan> AdminAsync(this HttpClient gateway, MatchaAppFixture fixture)
    {
        var tokens = await gateway.LoginAsync(await fixture.ParameterAsync("admin-email"), await fixture.ParameterAsync("admin-password"));
        return new Fan((await gateway.GetMeAsync(tokens.AccessToken)).Id, tokens.AccessToken);
    }

    public static async Task<HttpResponseMessage> SendAsync(this HttpClient gateway, Fan fan, HttpMethod method, string path, object? body = null, string? traceParent = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fan.AccessToken);
        if (body is not null)
        {
            request.Content = body as HttpContent ?? JsonContent.Create(body);
        }
        if (traceParent is not null)
        {
            request.Headers.Add("traceparent", traceParent);
        }
        return await gateway.SendAsync(request);
    }

    public static async Task<HttpStatusCode> RateAsync(this HttpClient gateway, Fan fan, int movieId, double score, string? traceParent = null)
    {
        using var response = await gateway.SendAsync(fan, HttpMethod.Put, $"/api/ratings/movies/{movieId}/rating", new { score }, traceParent);
        return response.StatusCode;
    }

    public static async Task<HttpStatusCode> UnrateAsync(this HttpClient gateway, Fan fan, int movieId)
    {
        using var response = await gateway.SendAsync(fan, HttpMethod.Delete, $"/api/ratings/movies/{movieId}/rating");
        return response.StatusCode;
    }

    public static async Task<T> GetAsync<T>(this HttpClient gateway, Fan fan, string path)
    {
        using var response = await gateway.SendAsync(fan, HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }

    /// <summary>Polls until <paramref name="probe"/> holds; returns the last value either way, for the assertion to show.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> probe, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience);
        while (true)
        {
            var value = await read();
            if (probe(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }
            await Task.Delay(200);
        }
    }

    public static async Task<IConnectionMultiplexer> RedisAsync(this MatchaAppFixture fixture)
    {
        var options = ConfigurationOptions.Parse(await fixture.ConnectionStringAsync("redis"));
        options.AbortOnConnectFail = false;
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    public static async Task<T?> QueryAsync<T>(this MatchaAppFixture fixture, string database, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters.AddWithValue($"p{i}", parameters[i]);
        }
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    /// <summary>An event as its producer would have put it on the stream.</summary>
    public static EventEnvelope Envelope(string type, string aggregateId, long version, object payload, string? traceParent = null) =>
        new(type, 1, Guid.CreateVersion7(), aggregateId, version, DateTimeOffset.UtcNow, traceParent, null,
            JsonSerializer.SerializeToElement(payload, EventEnvelope.JsonOptions));

    public static async Task PublishAsync(this IConnectionMultiplexer redis, string topic, EventEnvelope envelope) =>
        await redis.GetDatabase().StreamAddAsync($"matcha:events:{topic}", "envelope", envelope.ToJson());

    private static int _nextMovie = Random.Shared.Next(10_000_000, 20_000_000);

    /// <summary>A film id no other test (and no seed) uses.</summary>
    public static int FreshMovieId() => Interlocked.Increment(ref _nextMovie);

    public static async Task<CatalogDbContext> CatalogDbAsync(this MatchaAppFixture fixture) =>
        new(new DbContextOptionsBuilder<CatalogDbContext>()
            .UseNpgsql(await fixture.ConnectionStringAsync("catalogdb"))
            .UseSnakeCaseNamingConvention()
            .Options);

    /// <summary>
    /// A new film in Catalog, written the way Catalog's own writers do (its DbContext queues
    /// MovieChanged with the film), and waited for until Ratings' copy has it.
    /// </summary>
    public static async Task<int> AddFilmAsync(this MatchaAppFixture fixture, DateOnly? releaseDate = null, int? id = null, Action<Movie>? shape = null, TimeSpan? within = null)
    {
        var movieId = await fixture.WriteFilmAsync(releaseDate, id, shape);
        await fixture.WaitForRatingsCopyAsync(movieId, within);
        return movieId;
    }

    /// <summary>Waits until Ratings' copy of the catalogue has the film (its MovieChanged was relayed and applied).</summary>
    public static async Task WaitForRatingsCopyAsync(this MatchaAppFixture fixture, int movieId, TimeSpan? within = null)
    {
        var copied = await EventuallyAsync(
            () => fixture.QueryAsync<long>("ratingsdb", "SELECT count(*) FROM movies WHERE id = @p0", movieId), n => n == 1, within);
        Assert.True(copied == 1, $"Ratings has no copy of film {movieId} after {within ?? Patience}");
    }

    /// <summary>A new film in Catalog, written the way Catalog's own writers do; nothing waited for.</summary>
    public static async Task<int> WriteFilmAsync(this MatchaAppFixture fixture, DateOnly? releaseDate = null, int? id = null, Action<Movie>? shape = null)
    {
        var release = releaseDate ?? new DateOnly(2003, 11, 21);
        await using var db = await fixture.CatalogDbAsync();
        var movie = new Movie
        {
            Id = id ?? FreshMovieId(),
            OriginalLanguage = "ko",
            OriginalTitle = $"Test film {Guid.NewGuid():N}",
            Year = release.Year,
            ReleaseDate = release,
            Genres = ["Drama"],
        };
        if (shape is not null)
        {
            shape(movie);
            movie.RefreshSearchFields();
        }
        db.Movies.Add(movie);
        await db.SaveChangesAsync();
        return movie.Id;
    }

    /// <summary>A film's statistics as the public catalogue shows them.</summary>
    public static async Task<MovieStats> StatsAsync(this HttpClient gateway, int movieId)
    {
        using var response = await gateway.GetAsync($"/api/catalog/movies/{movieId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var movie = await response.Content.ReadFromJsonAsync<JsonElement>();
        return movie.GetProperty("stats").Deserialize<MovieStats>(EventEnvelope.JsonOptions)!;
    }

    /// <summary>A ranking as the public catalogue shows it: film ids, best first, with the rank the API gave each.</summary>
    public static async Task<List<(int Id, int Rank)>> RankingAsync(this HttpClient gateway, string kind, int limit = 100)
    {
        using var response = await gateway.GetAsync($"/api/catalog/rankings/{kind}?limit={limit}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ranking = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(kind, ranking.GetProperty("kind").GetString());
        return [.. ranking.GetProperty("items").EnumerateArray().Select(i => (i.GetProperty("id").GetInt32(), i.GetProperty("rank").GetInt32()))];
    }

    public static async Task<HttpStatusCode> WishAsync(this HttpClient gateway, Fan fan, int movieId, string state = "wantToWatch")
    {
        using var response = await gateway.SendAsync(fan, HttpMethod.Put, $"/api/ratings/movies/{movieId}/wishlist", new { state });
        return response.StatusCode;
    }

    /// <summary>The histogram of half-star buckets for the given scores.</summary>
    public static int[] Histogram(params double[] scores)
    {
        var buckets = new int[10];
        foreach (var score in scores)
        {
            buckets[(int)(score * 2) - 1]++;
        }
        return buckets;
    }
}
