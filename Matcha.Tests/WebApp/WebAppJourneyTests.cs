using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matcha.Tests.WebApp;

/// <summary>The web app in a real (headless) Chromium against the real Matcha, as two people use it.</summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
[Trait("Category", "Browser")]
public sealed class WebAppJourneyTests(MatchaAppFixture fixture, WebAppBrowser browser) : IClassFixture<WebAppBrowser>
{
    [Fact]
    public async Task AFanRatesWishesAndWritesASpoilerThatAnotherFanRevealsLikesAndFollowsHerFromItsSignature()
    {
        var film = await fixture.AddKoreanFilmAsync();
        var other = await fixture.AddKoreanFilmAsync();
        var spoiler = $"The house on the hill was theirs all along {Guid.NewGuid():N}";

        // Sign up, then find the film by a fragment of its Korean title, typed into the search box.
        var ann = await browser.NewVisitorAsync(fixture);
        await ann.SignUpAsync();
        await ann.GetByRole(AriaRole.Searchbox, new() { Name = "Search films and people" }).PressSequentiallyAsync(film.KoreanFragment);
        await Expect(ann.Heading($"Results for “{film.KoreanFragment}”")).ToBeVisibleAsync();
        await ann.GetByRole(AriaRole.Link, new() { Name = film.EnglishTitle }).ClickAsync();
        await Expect(ann.Heading(film.EnglishTitle)).ToBeVisibleAsync();
        await Expect(ann.GetByText(film.KoreanTitle)).ToBeVisibleAsync();
        await Expect(ann.GetByRole(AriaRole.Link, new() { Name = film.Director })).ToBeVisibleAsync();

        // 4.5 stars with the keyboard: End is five stars, ← takes half a star off.
        var stars = ann.GetByRole(AriaRole.Slider, new() { Name = "My rating" });
        await stars.FocusAsync();
        await ann.Keyboard.PressAsync("End");
        await ann.Keyboard.PressAsync("ArrowLeft");
        await Expect(stars).ToHaveAttributeAsync("aria-valuetext", "4.5 stars");
        await Expect(ann.GetByText("Saved: 4.5 stars")).ToBeVisibleAsync();

        // The average and the histogram are Catalog's, fed by the rating's event: they follow.
        await Expect(ann.Locator(".average-value")).ToHaveTextAsync("4.5", new() { Timeout = 60_000 });
        await Expect(ann.Locator(".count")).ToHaveTextAsync("1 rating");
        await Expect(ann.Locator(".histogram li[data-score='4.5']")).ToContainTextAsync("4.5 stars: 1");
        await Expect(ann.Locator(".histogram li[data-score='5']")).ToContainTextAsync("5.0 stars: 0");

        // The session is an HttpOnly cookie the page cannot read; nothing is kept in web storage.
        var cookie = (await ann.Context.CookiesAsync()).Single(c => c.Name == "matcha_session");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/api/session", cookie.Path);
        Assert.DoesNotContain("matcha_session", await ann.EvaluateAsync<string>("document.cookie"));
        Assert.Equal(0, await ann.EvaluateAsync<int>("localStorage.length + sessionStorage.length"));

        // A reload keeps me signed in and shows my rating.
        await ann.ReloadAsync();
        await Expect(ann.GetByRole(AriaRole.Slider, new() { Name = "My rating" })).ToHaveAttributeAsync("aria-valuenow", "4.5");

        // Wish for another film; it is on my page.
        await ann.OpenFilmAsync(other);
        var wantToWatch = ann.GetByRole(AriaRole.Button, new() { Name = "Want to watch" });
        await wantToWatch.ClickAsync();
        await Expect(wantToWatch).ToHaveAttributeAsync("aria-pressed", "true");

        // A comment with a spoiler on the first film.
        await ann.OpenFilmAsync(film);
        await ann.GetByLabel("Your comment").FillAsync(spoiler);
        await ann.GetByLabel("Contains spoilers").CheckAsync();
        await ann.GetByRole(AriaRole.Button, new() { Name = "Post comment" }).ClickAsync();
        await Expect(ann.Locator(".comment.own")).ToContainTextAsync("This comment contains spoilers");

        await ann.Locator(".account").GetByRole(AriaRole.Link, new() { Name = "Film Fan" }).ClickAsync();
        await Expect(ann.Locator("section", new() { Has = ann.GetByRole(AriaRole.Heading, new() { Name = "My ratings" }) }))
            .ToContainTextAsync(film.EnglishTitle);
        await Expect(ann.Locator("section", new() { Has = ann.GetByRole(AriaRole.Heading, new() { Name = "My list" }) }))
            .ToContainTextAsync(other.EnglishTitle);
        await Expect(ann.Locator("section", new() { Has = ann.GetByRole(AriaRole.Heading, new() { Name = "My comments" }) }))
            .ToContainTextAsync(spoiler);

        // Another fan sees the spoiler hidden, reveals it and likes it.
        var bob = await browser.NewVisitorAsync(fixture);
        await bob.SignUpAsync();
        await bob.OpenFilmAsync(film);
        var comment = bob.Locator(".comment");
        await Expect(comment).ToHaveCountAsync(1);
        await Expect(comment).ToContainTextAsync("This comment contains spoilers");
        await Expect(bob.GetByText(spoiler)).ToHaveCountAsync(0);
        await comment.GetByRole(AriaRole.Button, new() { Name = "Reveal spoiler" }).ClickAsync();
        await Expect(comment).ToContainTextAsync(spoiler);
        var like = comment.GetByRole(AriaRole.Button, new() { Name = "Like" });
        await like.ClickAsync();
        await Expect(like).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(like).ToHaveTextAsync("Like (1)");
        await bob.ReloadAsync();
        await Expect(bob.Locator(".comment").GetByRole(AriaRole.Button, new() { Name = "Like (1)" })).ToHaveAttributeAsync("aria-pressed", "true");

        // The comment is signed with its author's name, which leads to her profile; he follows her.
        await bob.Locator(".comment").GetByRole(AriaRole.Link, new() { Name = "Film Fan" }).ClickAsync();
        await Expect(bob.Heading("Film Fan")).ToBeVisibleAsync();
        Assert.Matches("/members/[0-9a-f-]{36}$", new Uri(bob.Url).AbsolutePath);
        await Expect(bob.Locator(".taste-match")).ToHaveTextAsync("Not enough films in common yet for a taste match: 0 of 5 rated by you both.");
        var follow = bob.GetByRole(AriaRole.Button, new() { Name = "Follow", Exact = true });
        await follow.ClickAsync();
        await Expect(bob.GetByRole(AriaRole.Button, new() { Name = "Following" })).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(bob.Locator(".followers")).ToHaveTextAsync("1 follower");

        // Signing out ends the session: a reload finds no session to restore.
        await ann.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(ann.Locator(".account").GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await ann.OpenFilmAsync(film);
        await ann.ReloadAsync();
        await Expect(ann.Heading(film.EnglishTitle)).ToBeVisibleAsync();
        await Expect(ann.Locator(".account").GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Expect(ann.GetByText("to rate this film")).ToBeVisibleAsync();
        await Expect(ann.GetByRole(AriaRole.Slider)).ToHaveCountAsync(0);
        Assert.DoesNotContain(await ann.Context.CookiesAsync(), c => c.Name == "matcha_session");
    }
}
