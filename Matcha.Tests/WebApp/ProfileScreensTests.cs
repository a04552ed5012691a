using System.Net;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matcha.Tests.WebApp;

/// <summary>Member search, profiles, follow lists and the feed in a real Chromium, at desktop and phone sizes, saved as screenshots.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "Browser")]
public sealed class ProfileScreensTests(MatchaAppFixture fixture, WebAppBrowser browser) : IClassFixture<WebAppBrowser>
{
    public static TheoryData<string> Sizes => ["desktop", "phone"];

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task AReaderFindsAMemberByNameThenWalksFromTheProfileToItsFollowersToAnotherMemberAndToTheFeed(string size)
    {
        using var gateway = fixture.CreateGatewayClient();
        var film = await fixture.AddKoreanFilmAsync();
        var (critic, friend) = (await gateway.NewFanAsync(), await gateway.NewFanAsync());
        var criticName = await RenameAsync(gateway, critic, "Critic");
        var friendName = await RenameAsync(gateway, friend, "Friend");
        var criticHandle = (await gateway.SocialProfileAsync(critic)).Handle;
        await gateway.FollowAsync(friend, criticHandle);
        Assert.Equal(HttpStatusCode.NoContent, await gateway.RateAsync(critic, film.Id, 4.5));
        var words = $"Two families and a hill, {Guid.NewGuid():N}";
        await gateway.CommentAsync(critic, film.Id, words);
        // Ratings knows the critic's handle once Accounts' announcement has arrived.
        await EventsDriver.EventuallyAsync(async () =>
        {
            using var response = await gateway.SendAsync(critic, HttpMethod.Get, $"/api/ratings/members/{criticHandle}/ratings");
            return response.StatusCode;
        }, s => s == HttpStatusCode.OK);

        var page = await browser.NewVisitorAsync(fixture, size == "phone" ? WebAppBrowser.Phone : WebAppBrowser.Desktop);
        await page.SignUpAsync();

        // The critic found by name in the search's Members section, then their profile: counts,
        // taste summary, ratings with the film's title, comments.
        await page.GotoAsync($"/search?q={Uri.EscapeDataString(criticName)}");
        var found = page.Locator("section[aria-labelledby=found-members]");
        await Expect(found.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Members (1)", new() { Timeout = 60_000 });
        await found.GetByRole(AriaRole.Link, new() { Name = criticName }).ClickAsync();
        await Expect(page.Heading(criticName)).ToBeVisibleAsync(new() { Timeout = 60_000 });
        Assert.EndsWith($"/members/{criticHandle}", page.Url, StringComparison.Ordinal);
        await Expect(page.Locator(".taste-summary")).ToHaveTextAsync("1 rating · 1 comment · 0 want to watch · average ★ 4.5");
        await Expect(page.GetByRole(AriaRole.Listitem, new() { Name = "4.5 stars: 1 rating" })).ToBeVisibleAsync();
        await Expect(page.Locator("section[aria-labelledby=member-ratings]").GetByRole(AriaRole.Link, new() { Name = film.EnglishTitle })).ToBeVisibleAsync();
        await Expect(page.Locator("section[aria-labelledby=member-comments]")).ToContainTextAsync(words);
        await page.GetByRole(AriaRole.Button, new() { Name = "Follow", Exact = true }).ClickAsync();
        await Expect(page.Locator(".followers")).ToHaveTextAsync("2 followers");
        await WebAppScreenshotTests.CheckFitsAndSaveAsync(page, "member");

        // Its followers, newest first: me, then the friend, whose name leads to their profile.
        await page.GetByRole(AriaRole.Link, new() { Name = "2 followers" }).ClickAsync();
        await Expect(page.Heading($"Followers of {criticName}")).ToBeVisibleAsync();
        var followers = page.GetByRole(AriaRole.List, new() { Name = "Followers" }).GetByRole(AriaRole.Link);
        await Expect(followers).ToHaveTextAsync(["Film Fan", friendName]);
        await WebAppScreenshotTests.CheckFitsAndSaveAsync(page, "followers");
        await followers.Last.ClickAsync();
        await Expect(page.Heading(friendName)).ToBeVisibleAsync();
        await Expect(page.Locator("section[aria-labelledby=member-ratings]")).ToContainTextAsync("No ratings yet.");

        // My feed, from the header: what the critic rated and wrote, newest first, each linking on.
        await page.Locator(".account").GetByRole(AriaRole.Link, new() { Name = "Feed" }).ClickAsync();
        await Expect(page.Heading("Feed")).ToBeVisibleAsync();
        var entries = page.Locator(".feed-entry");
        await Expect(entries).ToHaveCountAsync(2, new() { Timeout = 60_000 });
        await Expect(entries.Nth(0)).ToContainTextAsync($"{criticName} commented on {film.EnglishTitle}");
        await Expect(entries.Nth(1)).ToContainTextAsync($"{criticName} rated {film.EnglishTitle} ★ 4.5");
        await WebAppScreenshotTests.CheckFitsAndSaveAsync(page, "feed");
        await entries.Nth(1).GetByRole(AriaRole.Link, new() { Name = film.EnglishTitle }).ClickAsync();
        await Expect(page.Heading(film.EnglishTitle)).ToBeVisibleAsync();

        // My own profile, from the followers list: a checkbox makes it private, and the critic
        // then sees my name but not whom I follow.
        await page.GoBackAsync();
        await page.GoBackAsync();
        await page.GoBackAsync();
        await Expect(page.Heading($"Followers of {criticName}")).ToBeVisibleAsync();
        await followers.First.ClickAsync();
        await Expect(page.Heading("Film Fan")).ToBeVisibleAsync();
        var readerHandle = new Uri(page.Url).AbsolutePath.Split('/').Last();
        await page.GetByLabel("Private profile: others see only my name and counts").CheckAsync();
        await Expect(page.Locator("#status")).ToHaveTextAsync("Your profile is private: others see your name and counts only.");
        await Expect(page.GetByText("Private profile", new() { Exact = true })).ToBeVisibleAsync();
        using var closed = await gateway.SendAsync(critic, HttpMethod.Get, $"/api/social/members/{readerHandle}/following");
        Assert.Equal(HttpStatusCode.Forbidden, closed.StatusCode);
    }

    /// <summary>Gives the fan a unique display name and waits until Social shows it.</summary>
    private static async Task<string> RenameAsync(HttpClient gateway, Fan fan, string name)
    {
        var unique = $"{name} {Guid.NewGuid():N}"[..(name.Length + 7)];
        using (var patch = await gateway.PatchMeAsync(fan.AccessToken, new { displayName = unique }))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }
        await EventsDriver.EventuallyAsync(() => gateway.SocialProfileAsync(fan), p => p.DisplayName == unique);
        return unique;
    }
}
