using System.Net;
using System.Net.Http.Json;

namespace Matcha.Tests.Support;

/// <summary>A member as Social shows them.</summary>
public sealed record MemberProfileView(Guid Handle, string DisplayName, int Followers, int Following, bool FollowedByMe, bool IsMe, bool IsPrivate = false);

public sealed record MemberCardView(Guid Handle, string DisplayName);

public sealed record MemberPage(IReadOnlyList<MemberCardView> Items, string? NextCursor);

/// <summary>Profiles and follows through the gateway.</summary>
public static class SocialDriver
{
    /// <summary>The fan's own profile, once Accounts' announcement of the account has reached Social.</summary>
    public static async Task<MemberProfileView> SocialProfileAsync(this HttpClient gateway, Fan fan)
    {
        var deadline = DateTime.UtcNow + EventsDriver.Patience;
        while (true)
        {
            using var response = await gateway.SendAsync(fan, HttpMethod.Get, "/api/social/me");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return (await response.Content.ReadFromJsonAsync<MemberProfileView>())!;
            }
            Assert.True(response.StatusCode == HttpStatusCode.NotFound && DateTime.UtcNow < deadline,
                $"GET /api/social/me: {(int)response.StatusCode}");
            await Task.Delay(200);
        }
    }

    public static Task FollowAsync(this HttpClient gateway, Fan fan, Guid handle) =>
        gateway.ExpectAsync(fan, HttpMethod.Put, $"/api/social/members/{handle}/follow", null, HttpStatusCode.NoContent);

    /// <summary>Makes the fan's profile private or public again; Social answers with the profile.</summary>
    public static async Task<MemberProfileView> SetPrivateAsync(this HttpClient gateway, Fan fan, bool isPrivate)
    {
        using var response = await gateway.SendAsync(fan, HttpMethod.Put, "/api/social/me/privacy", new { @private = isPrivate });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<MemberProfileView>())!;
    }

    public static Task UnfollowAsync(this HttpClient gateway, Fan fan, Guid handle) =>
        gateway.ExpectAsync(fan, HttpMethod.Delete, $"/api/social/members/{handle}/follow", null, HttpStatusCode.NoContent);
}

public sealed record FeedItemView(string Kind, MemberCardView Member, int MovieId, decimal? Score, long? CommentId, DateTimeOffset OccurredAt, CollectionCardView? Collection = null);

public sealed record FeedPage(IReadOnlyList<FeedItemView> Items, string? NextCursor);
