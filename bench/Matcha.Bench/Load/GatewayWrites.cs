using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matcha.Bench.Load;

/// <summary>Writes as the web app makes them: through the gateway, with the user's access token.</summary>
internal sealed class GatewayWrites(HttpClient gateway, string name) : IWriteTarget
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Name => name;

    public async Task<Written> WriteAsync(Write write, CancellationToken cancellationToken)
    {
        using var request = write.Kind switch
        {
            WriteKind.Rating => new HttpRequestMessage(HttpMethod.Put, $"/api/ratings/movies/{write.MovieId}/rating")
            {
                Content = JsonContent.Create(new { score = write.Score }),
            },
            WriteKind.Wish => new HttpRequestMessage(HttpMethod.Put, $"/api/ratings/movies/{write.MovieId}/wishlist")
            {
                Content = JsonContent.Create(new { state = JsonNamingPolicy.CamelCase.ConvertName(write.State.ToString()) }),
            },
            _ => new HttpRequestMessage(HttpMethod.Post, $"/api/ratings/movies/{write.MovieId}/comments")
            {
                Content = JsonContent.Create(new { text = "Seen it twice; the second time was better.", isSpoiler = false }),
            },
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", write.User.AccessToken);
        using var response = await gateway.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return new Written(null, 0, $"{(int)response.StatusCode} {write.Kind}");
        }
        return write.Kind switch
        {
            // The version is read back with the commit time (see CommitTimes); -1 says "not known here".
            WriteKind.Rating => new Written($"rating/{write.MovieId}/{write.User.Id}", -1),
            WriteKind.Wish => new Written($"wishlist/{write.MovieId}/{write.User.Id}", -1),
            _ => new Written(
                "comment/" + (await response.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken)).GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture),
                1),
        };
    }
}
