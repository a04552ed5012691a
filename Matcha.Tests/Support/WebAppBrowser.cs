using Microsoft.Playwright;

namespace Matcha.Tests.Support;

/// <summary>
/// A headless Chromium (the machine's own, Debian's package: no browser download) driven by
/// Playwright, opening pages of the web app served by the fixture's gateway. One per test class.
/// </summary>
public sealed class WebAppBrowser : IAsyncLifetime
{
    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 860 };
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    private static readonly string[] ChromiumPaths = ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        var executable = ChromiumPaths.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Chromium is not installed: run ./eng/install-prerequisites.sh --local (it installs Debian's chromium).");
        // A loaded two-core machine hashes a new password slowly: assertions wait up to 20 s, not 5.
        Assertions.SetDefaultExpectTimeout(20_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = executable, Headless = true });
    }

    /// <summary>A new browser profile (its own cookies) on the web app, as a new visitor.</summary>
    public async Task<IPage> NewVisitorAsync(MatchaAppFixture fixture, ViewportSize? viewport = null)
    {
        var context = await _browser!.NewContextAsync(new()
        {
            BaseURL = fixture.App.GetEndpoint("gateway", "http").ToString(),
            ViewportSize = viewport ?? Desktop,
            Locale = "en-GB",
        });
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        return page;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }
}
