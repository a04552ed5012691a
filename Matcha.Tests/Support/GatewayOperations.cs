using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Matcha.Tests.Support;

/// <summary>One operation a client can call through the gateway, with its parameters and JSON body fields.</summary>
public sealed record GatewayOperation(string Method, string Path, IReadOnlyList<OperationParameter> Parameters, IReadOnlyList<OperationParameter> BodyFields, bool HasBody)
{
    public override string ToString() => $"{Method} {Path}";
}

/// <summary>A path, query or body parameter and its OpenAPI type (<c>integer</c>, <c>number</c>, <c>string</c>, <c>boolean</c>…).</summary>
public sealed record OperationParameter(string Name, string In, string Type);

/// <summary>A route of the gateway's YARP table.</summary>
public sealed record ProxyRoute(string Name, string Cluster, string PathPattern, string? RemovedPrefix, string[] Methods);

/// <summary>
/// Every operation of the running gateway, read from the running apps rather than listed by hand:
/// the gateway's own endpoints from its OpenAPI document, and, for each YARP route, the OpenAPI
/// document of the service its cluster names (on the service's own port), with the route's prefix
/// put back. A new endpoint in any service, or on the gateway, is covered without a test change.
/// </summary>
public static class GatewayOperations
{
    private static readonly string[] NotApi = ["/health", "/alive", "/openapi", "/scalar"];

    public static async Task<IReadOnlyList<GatewayOperation>> ReadAsync(MatchaAppFixture fixture)
    {
        var operations = new List<GatewayOperation>();
        using var gateway = fixture.CreateGatewayClient();
        operations.AddRange(Read(await gateway.GetFromJsonAsync<JsonElement>("/openapi/v1.json"), prefix: ""));

        foreach (var cluster in ProxyRoutes().GroupBy(r => r.Cluster))
        {
            using var service = fixture.App.CreateHttpClient(cluster.Key, "http");
            var prefix = cluster.Select(r => r.RemovedPrefix).Distinct().Single() ?? "";
            var document = await service.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
            // Only what a route of this cluster forwards, with that route's methods.
            operations.AddRange(Read(document, prefix).Where(o => cluster.Any(r => Matches(r, o))));
        }
        return operations;
    }

    public static IReadOnlyList<ProxyRoute> ProxyRoutes()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(RepositoryRoot(), "Matcha.Gateway", "appsettings.json"))
            .Build();
        return
        [
            .. configuration.GetSection("ReverseProxy:Routes").GetChildren().Select(route => new ProxyRoute(
                route.Key,
                route["ClusterId"]!,
                route["Match:Path"]!,
                route.GetSection("Transforms").GetChildren().Select(t => t["PathRemovePrefix"]).SingleOrDefault(p => p is not null),
                route.GetSection("Match:Methods").Get<string[]>() ?? [])),
        ];
    }

    /// <summary>Whether a route's path pattern and methods take an operation (<c>{**rest}</c> takes any tail).</summary>
    public static bool Matches(ProxyRoute route, GatewayOperation operation)
    {
        if (route.Methods.Length > 0 && !route.Methods.Contains(operation.Method, StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }
        var pattern = route.PathPattern.Split('/');
        var path = operation.Path.Split('/');
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i].StartsWith("{**", StringComparison.Ordinal))
            {
                return path.Length > i;
            }
            if (i >= path.Length || !(pattern[i].StartsWith('{') || string.Equals(pattern[i], path[i], StringComparison.OrdinalIgnoreCase)))
            {
                return false;
            }
        }
        return path.Length == pattern.Length;
    }

    private static IEnumerable<GatewayOperation> Read(JsonElement document, string prefix)
    {
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            if (NotApi.Any(p => path.Name.StartsWith(p, StringComparison.Ordinal)))
            {
                continue;
            }
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name != "parameters"))
            {
                var parameters = operation.Value.TryGetProperty("parameters", out var list)
                    ? list.EnumerateArray().Select(p => new OperationParameter(
                        p.GetProperty("name").GetString()!, p.GetProperty("in").GetString()!, TypeOf(document, p.GetProperty("schema")))).ToList()
                    : [];
                var hasBody = operation.Value.TryGetProperty("requestBody", out var body);
                var fields = hasBody && body.GetProperty("content").EnumerateObject().FirstOrDefault() is { Value: var content }
                    && content.ValueKind == JsonValueKind.Object && content.TryGetProperty("schema", out var schema)
                    ? Fields(document, schema)
                    : [];
                yield return new GatewayOperation(operation.Name.ToUpperInvariant(), prefix + path.Name, parameters, fields, hasBody);
            }
        }
    }

    private static List<OperationParameter> Fields(JsonElement document, JsonElement schema)
    {
        schema = Resolve(document, schema);
        return schema.TryGetProperty("properties", out var properties)
            ? [.. properties.EnumerateObject().Select(p => new OperationParameter(p.Name, "body", TypeOf(document, p.Value)))]
            : [];
    }

    private static string TypeOf(JsonElement document, JsonElement schema)
    {
        schema = Resolve(document, schema);
        if (!schema.TryGetProperty("type", out var type))
        {
            return schema.TryGetProperty("enum", out _) ? "string" : "object";
        }
        // OpenAPI 3.1 writes nullable types as ["null", "integer"] and numbers as ["integer", "string"].
        return type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()!).FirstOrDefault(t => t is not ("null" or "string")) ?? "string"
            : type.GetString()!;
    }

    private static JsonElement Resolve(JsonElement document, JsonElement schema)
    {
        while (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!.Split('/')[^1];
            schema = document.GetProperty("components").GetProperty("schemas").GetProperty(name);
        }
        return schema;
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
