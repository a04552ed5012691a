using System.Net;
using Microsoft.Extensions.Configuration;

namespace Matcha.Tests.Gateway;

/// <summary>
/// Reads the gateway's own route table and proves that every route not declared public
/// answers an anonymous caller with 401, for every method it matches.
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class GatewayRouteAuthorizationTests(MatchaAppFixture fixture)
{
    private static readonly string[] AllMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    public static TheoryData<string, string, string> ProtectedRoutes()
    {
        var data = new TheoryData<string, string, string>();
        var routes = GatewayRoutes().ToList();
        foreach (var route in routes)
        {
            // A public route covers only its methods; any other method on its path must fall to
            // a protected route. A protected route is tested with every method no public route takes.
            var publicMethods = routes.Where(r => r.IsPublic && r.SamplePath == route.SamplePath).SelectMany(r => r.Methods).ToHashSet();
            var methods = route.IsPublic || route.Methods.Length == 0
                ? AllMethods.Where(m => !publicMethods.Contains(m))
                : route.Methods.Where(m => !publicMethods.Contains(m));
            foreach (var method in methods)
            {
                data.Add(route.Name, method, route.SamplePath);
            }
        }
        return data;
    }

    [Fact]
    public void TheOnlyPublicRoutesAreTheDeclaredOnes()
    {
        var publicRoutes = GatewayRoutes().Where(r => r.IsPublic).Select(r => r.Name).Order();

        Assert.Equal(["accounts-deletion-status", "accounts-jwks", "accounts-login", "accounts-logout", "accounts-refresh", "accounts-signup", "accounts-verify", "catalog-film-pages", "catalog-person-pages", "catalog-reads"], publicRoutes);
    }

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task EveryNonPublicRouteAnswers401WithoutAToken(string route, string method, string path)
    {
        using var gateway = fixture.CreateGatewayClient();

        using var response = await gateway.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{route}: {method} {path} answered {(int)response.StatusCode}");
    }

    private sealed record GatewayRoute(string Name, string SamplePath, string[] Methods, bool IsPublic);

    private static IEnumerable<GatewayRoute> GatewayRoutes()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(RepositoryRoot(), "Matcha.Gateway", "appsettings.json"))
            .Build();
        foreach (var route in configuration.GetSection("ReverseProxy:Routes").GetChildren())
        {
            var path = route["Match:Path"]!.Replace("{**rest}", "some/thing", StringComparison.Ordinal)
                .Replace("{deletionId}", Guid.Empty.ToString(), StringComparison.Ordinal);
            var methods = route.GetSection("Match:Methods").Get<string[]>() ?? [];
            var isPublic = string.Equals(route["AuthorizationPolicy"], "anonymous", StringComparison.OrdinalIgnoreCase);
            yield return new GatewayRoute(route.Key, path, methods, isPublic);
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Matcha.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Matcha.sln not found above the test binaries.");
    }
}
