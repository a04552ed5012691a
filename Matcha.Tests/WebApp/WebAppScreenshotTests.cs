using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matcha.Tests.WebApp;

/// <summary>The main screens at desktop and phone sizes: saved as screenshots, and none scrolls sideways on a phone.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "Browser")]
public sealed class WebAppScreenshotTests(MatchaAppFixture fixture, WebAppBrowser browser) : IClassFixture<WebAppBrowser>
{
    public static TheoryData<string> Sizes => ["desktop", "phone"];

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task MainScreensFitTheScreenAndAreSavedAsScreenshots(string size)
    {
        var film = await fixture.AddKoreanFilmAsync();
        // The most popular film has a title with no place to break: it must wrap, not widen the page.
        await fixture.AddKoreanFilmAsync(englishTitle: $"Supercalifragilisticexpialidocious{Guid.NewGuid():N}", popularity: 1e9);
        var page = await browser.NewVisitorAsync(fixture, size == "phone" ? WebAppBrowser.Phone : WebAppBrowser.Desktop);
        await page.SignUpAsync();

        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Continue rating" })).ToBeVisibleAsync();

        await page.GotoAsync($"/search?q={Uri.EscapeDataString(film.KoreanFragment)}");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = film.EnglishTitle })).ToBeVisibleAsync();
        await CheckFitsAndSaveAsync(page, "search");

        await page.OpenFilmAsync(film);
        var stars = page.GetByRole(AriaRole.Slider, new() { Name = "My rating" });
        await stars.ClickAsync(new() { Position = new() { X = 5, Y = 10 } });   // the left half of the first star
        await Expect(stars).ToHaveAttributeAsync("aria-valuenow", "0.5");
        await stars.PressAsync("End");
        await Expect(page.Locator(".average-value")).ToHaveTextAsync("5.0", new() { Timeout = 60_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Watching" }).ClickAsync();
        await page.GetByLabel("Your comment").FillAsync("A quiet film about two families; the last act is worth it.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Post comment" }).ClickAsync();
        await Expect(page.Locator(".comment.own")).ToBeVisibleAsync();
        await CheckFitsAndSaveAsync(page, "film");
        using (var gateway = fixture.CreateGatewayClient())
        {
            await fixture.TrainAsync(gateway);
        }

        await page.GetByRole(AriaRole.Link, new() { Name = film.Director }).ClickAsync();
        await Expect(page.Heading(film.Director)).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "You rated it 5.0 stars" })).ToBeVisibleAsync();
        await CheckFitsAndSaveAsync(page, "person");

        await page.GotoAsync("/me");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My ratings" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = film.EnglishTitle }).First).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My taste" })).ToBeVisibleAsync();
        await Expect(page.Locator(".taste-summary")).ToContainTextAsync("1 rating · your average ★ 5.0");
        await Expect(page.GetByRole(AriaRole.Listitem, new() { Name = "5.0 stars: 1 rating" })).ToBeVisibleAsync();
        await CheckFitsAndSaveAsync(page, "my-page");

        // With a model trained, home recommends films and every card carries a predicted rating or my
        // own, saying how little it rests on: this visitor has rated one film.
        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Recommended for you" })).ToBeVisibleAsync();
        await Expect(page.Locator("section[aria-labelledby=recommended] .card-predicted").First).ToContainTextAsync("Predicted ★");
        await Expect(page.Locator("section[aria-labelledby=recommended] .card-predicted").First).ToContainTextAsync("based on 1 rating");
        await CheckFitsAndSaveAsync(page, "home");

        await page.GotoAsync("/signin");
        await CheckFitsAndSaveAsync(page, "sign-in");
    }

    private static async Task CheckFitsAndSaveAsync(IPage page, string screen)
    {
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");
        var sticking = await page.EvaluateAsync<string[]>("""
            [...document.querySelectorAll('body *')]
              .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
              .map(e => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)}px)`)
              .slice(0, 5)
            """);
        Assert.True(overflow <= 0, $"{screen} is {overflow}px wider than a {page.ViewportSize?.Width}px screen: {string.Join(", ", sticking)}");
        await page.ScreenshotAsync(screen);
    }
}
