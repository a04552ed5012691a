using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matcha.Tests.Support;

/// <summary>A collection as Social shows it: films are movie ids in order.</summary>
public sealed record CollectionView(
    Guid Id, string Title, string Description, bool IsPublic, MemberCardView Owner, bool IsMine, int Likes, bool LikedByMe, IReadOnlyList<int> Films);

public sealed record CollectionSummaryView(Guid Id, string Title, bool IsPublic, int FilmCount, int Likes, IReadOnlyList<int> CoverFilms);

public sealed record CollectionPage(IReadOnlyList<CollectionSummaryView> Items, string? NextCursor);

public sealed record CollectionCardView(Guid Id, string Title);

/// <summary>Collections through the gateway.</summary>
public static class CollectionsDriver
{
    public static async Task<CollectionView> CreateCollectionAsync(this HttpClient gateway, Fan fan, string title, string description = "", bool isPublic = true)
    {
        using var response = await gateway.SendAsync(fan, HttpMethod.Post, "/api/social/collections", new { title, description, isPublic });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /api/social/collections: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<CollectionView>())!;
    }

    public static Task<CollectionView> CollectionAsync(this HttpClient gateway, Fan fan, Guid id) =>
        gateway.GetAsync<CollectionView>(fan, $"/api/social/collections/{id}");

    public static Task AddToCollectionAsync(this HttpClient gateway, Fan fan, Guid id, int movieId) =>
        gateway.ExpectAsync(fan, HttpMethod.Put, $"/api/social/collections/{id}/films/{movieId}", null, HttpStatusCode.NoContent);

    public static Task LikeCollectionAsync(this HttpClient gateway, Fan fan, Guid id) =>
        gateway.ExpectAsync(fan, HttpMethod.Put, $"/api/social/collections/{id}/like", null, HttpStatusCode.NoContent);

    public static Task<CollectionPage> CollectionsOfAsync(this HttpClient gateway, Fan viewer, Guid handle, string query = "") =>
        gateway.GetAsync<CollectionPage>(viewer, $"/api/social/members/{handle}/collections{query}");

    /// <summary>Sends the request and returns the fields a 400 problem named, comma-separated (empty for any other status).</summary>
    public static async Task<(HttpStatusCode Status, string Fields)> FieldsRefusedAsync(this HttpClient gateway, Fan fan, HttpMethod method, string path, object? body = null)
    {
        using var response = await gateway.SendAsync(fan, method, path, body);
        if (response.StatusCode != HttpStatusCode.BadRequest)
        {
            return (response.StatusCode, "");
        }
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, string.Join(",", problem.GetProperty("errors").EnumerateObject().Select(p => p.Name)));
    }
}
