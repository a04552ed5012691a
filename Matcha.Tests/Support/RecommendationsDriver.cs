using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matcha.Catalog.Movies;
using Matcha.Catalog.People;
using Npgsql;

namespace Matcha.Tests.Support;

public sealed record PredictionView(int MovieId, double Predicted, string Basis);

public sealed record PredictionPage(PredictionView[] Items);

/// <summary>Films with known tastes, other people's ratings, training on demand, and the /me endpoints.</summary>
internal static class RecommendationsDriver
{
    /// <summary>
    /// Films of a genre of their own (so a test can filter to exactly them), written to Catalog as
    /// its writers do, with a country, a running time and a director, and waited for in Ratings' copy.
    /// </summary>
    public static async Task<int[]> AddFilmsAsync(this MatchaAppFixture fixture, string genre, int count, string director, int runtime = 100)
    {
        await using var db = await CatalogData.ContextAsync(fixture);
        var person = new Person { Names = [new PersonName { Language = "en", Name = director }] };
        var films = Enumerable.Range(0, count).Select(i =>
        {
            var film = CatalogData.Film("XR", $"{genre} film {i}", 2000 + i, [genre]);
            film.Runtime = runtime;
            film.Credits.Add(new Credit { Person = person, Role = CreditRole.Director });
            return film;
        }).ToList();
        db.Movies.AddRange(films);
        await db.SaveChangesAsync();
        int[] ids = [.. films.Select(f => f.Id)];
        var copied = await EventsDriver.EventuallyAsync(
            () => fixture.QueryAsync<long>("ratingsdb", "SELECT count(*) FROM movies WHERE id = ANY(@p0) AND runtime IS NOT NULL", ids),
            n => n == ids.Length);
        Assert.Equal(ids.Length, copied);
        return ids;
    }

    /// <summary>
    /// Other people's ratings, written straight into ratingsdb: the model learns from them, and
    /// no account or gateway round trip per rating is needed to make them.
    /// </summary>
    public static async Task AddRatingsAsync(this MatchaAppFixture fixture, IEnumerable<(Guid User, int Movie, decimal Score)> ratings)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("ratingsdb"));
        await connection.OpenAsync();
        await using var batch = new NpgsqlBatch(connection);
        foreach (var (user, movie, score) in ratings)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                "INSERT INTO ratings (user_id, movie_id, score, version, updated_at) VALUES ($1, $2, $3, 1, now())")
            {
                Parameters = { new() { Value = user }, new() { Value = movie }, new() { Value = score } },
            });
        }
        await batch.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Asks for a training as an admin and waits until the served model has learnt from at least
    /// every rating there is now (a training already running may have started before them).
    /// </summary>
    public static async Task<JsonElement> TrainAsync(this MatchaAppFixture fixture, HttpClient gateway)
    {
        var admin = await gateway.AdminAsync(fixture);
        var ratings = await fixture.QueryAsync<long>("ratingsdb", "SELECT count(*) FROM ratings WHERE score IS NOT NULL AND rejected_reason IS NULL");
        using var train = await gateway.SendAsync(admin, HttpMethod.Post, "/api/ratings/admin/recommendations/train");
        Assert.Equal(HttpStatusCode.Accepted, train.StatusCode);
        var status = await EventsDriver.EventuallyAsync(
            () => gateway.GetAsync<JsonElement>(admin, "/api/ratings/admin/recommendations/model"),
            s => s.GetProperty("model").ValueKind == JsonValueKind.Object && s.GetProperty("model").GetProperty("ratingCount").GetInt32() >= ratings,
            TimeSpan.FromMinutes(2));
        var model = status.GetProperty("model");
        Assert.True(model.ValueKind == JsonValueKind.Object && model.GetProperty("ratingCount").GetInt32() >= ratings, status.ToString());
        return model;
    }

    public static async Task<PredictionView[]> PredictAsync(this HttpClient gateway, Fan fan, IEnumerable<int> movieIds) =>
        (await gateway.GetAsync<PredictionPage>(fan, $"/api/ratings/me/predictions?movieIds={string.Join(',', movieIds)}")).Items;

    public static async Task<PredictionView[]> RecommendAsync(this HttpClient gateway, Fan fan, string query) =>
        (await gateway.GetAsync<PredictionPage>(fan, $"/api/ratings/me/recommendations?{query}")).Items;

    public static async Task<HttpResponseMessage> GetRawAsync(this HttpClient gateway, Fan fan, string path) =>
        await gateway.SendAsync(fan, HttpMethod.Get, path);

    internal static async Task<T> ReadAsync<T>(this HttpResponseMessage response) => (await response.Content.ReadFromJsonAsync<T>())!;
}
