using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Matcha.Tests.Accounts;

/// <summary>
/// A second Accounts replica, in the test process, configured exactly as the AppHost configures
/// the first (same database, same Redis, same keys): what two replicas share must be shared.
/// </summary>
internal sealed class SecondAccountsReplica : WebApplicationFactory<Matcha.Accounts.SigningKeys.JsonWebKeySet>
{
    private readonly Dictionary<string, string?> _settings;

    private SecondAccountsReplica(Dictionary<string, string?> settings) => _settings = settings;

    /// <param name="overrides">Settings that differ from the AppHost's replica; a null value drops the setting, e.g. a limit the fixture raised, back to its default.</param>
    public static async Task<SecondAccountsReplica> StartAsync(MatchaAppFixture fixture, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var accounts = fixture.App.Services.GetRequiredService<DistributedApplicationModel>()
            .Resources.OfType<ProjectResource>().Single(p => p.Name == "accounts");
#pragma warning disable CS0618 // the replacement (ExecutionConfigurationBuilder) is not public in Aspire 13.6
        var environment = await accounts.GetEnvironmentVariableValuesAsync();
#pragma warning restore CS0618
        var settings = environment
            .Where(e => e.Key.StartsWith("ConnectionStrings__", StringComparison.Ordinal)
                || e.Key.StartsWith("Accounts__", StringComparison.Ordinal)
                || e.Key.StartsWith("InternalIdentity__", StringComparison.Ordinal))
            .ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                settings.Remove(key);   // back to the product's default
            }
            else
            {
                settings[key] = value;
            }
        }
        return new SecondAccountsReplica(settings);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        // The test server's requests have no client address; give them loopback's, as the gateway
        // on this machine has, so a test's X-Forwarded-For is believed as the gateway's would be.
        builder.ConfigureServices(services => services.AddTransient<IStartupFilter, CalledFromLoopback>());
        // UseSetting, not ConfigureAppConfiguration: minimal hosting reads these while composing.
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    private sealed class CalledFromLoopback : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress ??= IPAddress.Loopback;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
