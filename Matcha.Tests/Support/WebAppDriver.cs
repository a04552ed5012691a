using System.Globalization;
using Matcha.Catalog.Movies;
using Matcha.Catalog.People;
using Microsoft.Playwright;

namespace Matcha.Tests.Support;

/// <summary>A film a web app test made for itself: findable by a Korean fragment nobody else uses.</summary>
public sealed record TestFilm(int Id, string EnglishTitle, string KoreanTitle, string KoreanFragment, string Director);

/// <summary>What a person does in the web app, in the words of the page: labels, roles, headings.</summary>
public static class WebAppDriver
{
    /// <summary>
    /// A released film with English and Korean titles, a synopsis and a director, written into
    /// Catalog and waited for until Ratings' copy has it.
    /// </summary>
    public static async Task<TestFilm> AddKoreanFilmAsync(this MatchaAppFixture fixture, string? englishTitle = null, double popularity = 0)
    {
        var fragment = string.Concat(Enumerable.Range(0, 2).Select(_ => (char)Random.Shared.Next(0xAC00, 0xD7A4)));
        var english = englishTitle ?? $"Summer of {Guid.NewGuid().ToString("N")[..8]}";
        var korean = $"{fragment}의 여름";
        var director = $"Director {Guid.NewGuid().ToString("N")[..6]}";
        var id = await fixture.AddFilmAsync(new DateOnly(2019, 5, 30), shape: movie =>
        {
            movie.OriginalTitle = korean;
            movie.Titles = [new MovieTitle { Language = "en", Title = english }, new MovieTitle { Language = "ko", Title = korean }];
            movie.Runtime = 118;
            movie.Genres = ["Drama", "Comedy"];
            movie.Countries = ["KR"];
            movie.SynopsisEn = "Two families, one summer, and a house on a hill.";
            movie.Popularity = popularity;
            movie.Credits = [new Credit { Role = CreditRole.Director, Person = new Person { Names = [new PersonName { Language = "en", Name = director }] } }];
        });
        return new TestFilm(id, english, korean, fragment, director);
    }

    /// <summary>Signs up through the screens, opens the link from the mail sink, and signs in: as a person does.</summary>
    public static async Task SignUpAsync(this IPage page)
    {
        var user = GatewayAccounts.NewUser();
        await page.GotoAsync("/signup");
        await page.GetByLabel("Name shown to others").FillAsync(user.DisplayName);
        await page.GetByLabel("Email").FillAsync(user.Email);
        await page.GetByLabel("Password").FillAsync(user.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up" }).ClickAsync();
        await Assertions.Expect(page.Heading("Check your email")).ToBeVisibleAsync();

        using var gateway = new HttpClient { BaseAddress = new Uri(page.Url) };
        var token = await gateway.VerificationTokenAsync(user.Email);
        await page.GotoAsync($"/verify?token={token}");
        await Assertions.Expect(page.Heading("Email confirmed")).ToBeVisibleAsync();

        await page.GotoAsync("/signin");
        await page.GetByLabel("Email").FillAsync(user.Email);
        await page.GetByLabel("Password").FillAsync(user.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
    }

    public static ILocator Heading(this IPage page, string name) =>
        page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 1 });

    public static async Task OpenFilmAsync(this IPage page, TestFilm film)
    {
        await page.GotoAsync($"/movies/{film.Id.ToString(CultureInfo.InvariantCulture)}");
        await Assertions.Expect(page.Heading(film.EnglishTitle)).ToBeVisibleAsync();
    }

    /// <summary>Saves a screenshot under TestResults/screenshots at the repository's root.</summary>
    public static async Task ScreenshotAsync(this IPage page, string name)
    {
        var folder = Path.Combine(MovieLensData.RepositoryRoot(), "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        var size = page.ViewportSize?.Width <= WebAppBrowser.Phone.Width ? "phone" : "desktop";
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"{name}-{size}.png"), FullPage = true });
    }
}
