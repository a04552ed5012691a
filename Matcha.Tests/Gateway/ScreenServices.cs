using System.Security.Cryptography;
using Matcha.Gateway.Proxy;
using Matcha.Gateway.Screens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Matcha.Tests.Gateway;

/// <summary>
/// The gateway's screens as it wires them (their clients, pipelines, readers and home lists), with
/// canned handlers in place of the services they call. Starts nothing.
/// </summary>
internal static class ScreenServices
{
    public static ServiceProvider Build(IDictionary<string, string?> configuration, params (string Service, HttpMessageHandler Handler)[] services) =>
        Build(configuration, TimeProvider.System, services);

    /// <param name="clock">The screens' clock (the home lists' ages); the token minter keeps the system's.</param>
    public static ServiceProvider Build(IDictionary<string, string?> configuration, TimeProvider clock, params (string Service, HttpMessageHandler Handler)[] services)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddLogging();
        builder.Services.AddSingleton(clock);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        builder.Services.AddSingleton(new InternalTokenMinter(
            Microsoft.Extensions.Options.Options.Create(new InternalTokenOptions { SigningKey = Convert.ToBase64String(key.ExportPkcs8PrivateKey()) }), TimeProvider.System));
        builder.AddScreens();
        foreach (var (service, handler) in services)
        {
            builder.Services.AddHttpClient(ScreenClients.ClientName(service)).ConfigurePrimaryHttpMessageHandler(() => handler);
        }
        return builder.Services.BuildServiceProvider();
    }
}
