using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
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

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task AFirstVisitSeesRowsThatNeedNoRatings(string size)
    {
        var page = await browser.NewVisitorAsync(fixture, size == "phone" ? WebAppBrowser.Phone : WebAppBrowser.Desktop);
        using (var gateway = fixture.CreateGatewayClient())
        {
            // The gateway keeps the home's public lists for 2 s: wait out a copy read before Catalog had warmed up.
            await EventsDriver.EventuallyAsync(() => gateway.GetFromJsonAsync<JsonElement>("/api/screens/home"),
                home => home.GetProperty("unavailable").GetArrayLength() == 0, TimeSpan.FromSeconds(30));
        }

        await page.GotoAsync("/");

        // Rows from the catalogue alone, whatever the rankings hold: each with its films.
        foreach (var row in new[] { "New releases", "Korean films", "Drama", "Comedy", "Action", "Animation" })
        {
            var shelf = page.GetByRole(AriaRole.Region, new() { Name = row, Exact = true });
            await Expect(shelf).ToBeVisibleAsync();
            await Expect(shelf.GetByRole(AriaRole.Listitem)).ToHaveCountAsync(12);
        }
        await Expect(page.GetByText("No films here yet")).ToHaveCountAsync(0);
        await CheckFitsAndSaveAsync(page, "home-first-visit");
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task RateToStartIsDrivenByTheKeyboard(string size)
    {
        var page = await browser.NewVisitorAsync(fixture, size == "phone" ? WebAppBrowser.Phone : WebAppBrowser.Desktop);
        using (var gateway = fixture.CreateGatewayClient())
        {
            // Catalog's first read of the candidates can outlast the screens' 1 s attempt timeout on a loaded machine: warm it.
            await EventsDriver.EventuallyAsync(() => gateway.GetAsync("/api/catalog/rate-to-start"), response => response.IsSuccessStatusCode, TimeSpan.FromSeconds(30));
        }
        await page.SignUpAsync();
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Rate to start" }).ClickAsync();
        await Expect(page.Heading("Rate to start")).ToBeVisibleAsync();
        await Expect(page.Locator(".rate-progress")).ToHaveTextAsync("0 rated — predictions get sharper at 20");
        var films = page.Locator(".rate-film");
        await Expect(films).ToHaveCountAsync(10);

        // Focus starts on the first film's stars: 4 rates it four stars and moves on.
        await page.Keyboard.PressAsync("4");
        await Expect(films.Nth(0)).ToContainTextAsync("★ 4.0");
        await Expect(page.Locator(".rate-progress")).ToHaveTextAsync("1 rated — predictions get sharper at 20");
        // N: haven't seen. S: skip. Then a half star with the arrows, saved once they rest.
        await page.Keyboard.PressAsync("n");
        await Expect(films.Nth(1)).ToContainTextAsync("Haven't seen");
        await page.Keyboard.PressAsync("s");
        await Expect(films.Nth(2)).ToContainTextAsync("Skipped");
        foreach (var _ in Enumerable.Range(0, 7))
        {
            await page.Keyboard.PressAsync("ArrowRight");
        }
        await Expect(films.Nth(3)).ToContainTextAsync("★ 3.5");
        await Expect(page.Locator(".rate-progress")).ToHaveTextAsync("2 rated — predictions get sharper at 20");
        await Expect(films.Nth(4).GetByRole(AriaRole.Slider)).ToBeFocusedAsync();
        await CheckFitsAndSaveAsync(page, "rate-to-start");

        // The rest of the batch by keyboard; the next batch has none of the films already answered.
        var answered = await films.EvaluateAllAsync<string[]>("rows => rows.slice(0, 4).map(row => row.dataset.title)");
        foreach (var _ in Enumerable.Range(0, 6))
        {
            await page.Keyboard.PressAsync("s");
        }
        await Expect(films.Nth(0)).Not.ToHaveClassAsync("rate-film done");
        await Expect(films).ToHaveCountAsync(10);
        var titles = await films.EvaluateAllAsync<string[]>("rows => rows.map(row => row.dataset.title)");
        Assert.Empty(titles.Intersect(answered));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task ACollectionMadeFromTheFilmScreenShowsItsFilmsInOrderOnItsPage(string size)
    {
        TestFilm[] films = [await fixture.AddKoreanFilmAsync(), await fixture.AddKoreanFilmAsync()];
        var name = $"Late-night Seoul {Guid.NewGuid():N}"[..24];
        var page = await browser.NewVisitorAsync(fixture, size == "phone" ? WebAppBrowser.Phone : WebAppBrowser.Desktop);
        await page.SignUpAsync();

        await page.OpenFilmAsync(films[0]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add to collection" }).ClickAsync();
        await page.GetByLabel("New collection\u2019s title").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        await Expect(page.Locator(".collect-result")).ToHaveTextAsync($"Added to {name}.");

        await page.OpenFilmAsync(films[1]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add to collection" }).ClickAsync();
        await Expect(page.GetByLabel("Collection", new() { Exact = true })).ToHaveValueAsync(new Regex("^[0-9a-f-]{36}$"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();

        await Expect(page.Heading(name)).ToBeVisibleAsync();
        var titles = page.Locator(".collection-films .card-title");
        await Expect(titles).ToHaveTextAsync([films[0].EnglishTitle, films[1].EnglishTitle]);
        // Reordered by keyboard: focus stays on the moved film's arrow.
        await page.GetByRole(AriaRole.Button, new() { Name = $"Move {films[0].EnglishTitle} down" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(titles).ToHaveTextAsync([films[1].EnglishTitle, films[0].EnglishTitle]);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Move {films[0].EnglishTitle} up" })).ToBeFocusedAsync();
        await page.ReloadAsync();
        await Expect(titles).ToHaveTextAsync([films[1].EnglishTitle, films[0].EnglishTitle]);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "♥ 0 likes" })).ToBeDisabledAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        await page.GetByLabel("Description").FillAsync("Two films for after midnight, when the city is quiet.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator(".collection-description")).ToHaveTextAsync("Two films for after midnight, when the city is quiet.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Edit" })).ToBeFocusedAsync();
        await CheckFitsAndSaveAsync(page, "collection");

        await page.Locator(".collection-owner a").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Collections" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = name })).ToBeVisibleAsync();
        await Expect(page.Locator(".member-collections")).ToContainTextAsync("2 films · ♥ 0 likes");
    }

    internal static async Task CheckFitsAndSaveAsync(IPage page, string screen)
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
