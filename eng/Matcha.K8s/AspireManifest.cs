using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Matcha.K8s;

/// <summary>
/// The AppHost's publish manifest (aspire-manifest.json), read for what a cluster needs: projects,
/// containers, parameters, and each environment value as literal text and parameter references
/// once every <c>{resource.…}</c> expression is resolved to in-cluster names and ports.
/// </summary>
public sealed partial class AspireManifest
{
    /// <summary>ASP.NET Core's port in its container images; a project binding without a target port listens there.</summary>
    public const int DefaultHttpPort = 8080;

    private readonly Dictionary<string, JsonElement> _resources;

    private AspireManifest(Dictionary<string, JsonElement> resources) => _resources = resources;

    public static AspireManifest Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var resources = document.RootElement.GetProperty("resources").EnumerateObject()
            .ToDictionary(resource => resource.Name, resource => resource.Value.Clone(), StringComparer.Ordinal);
        return new AspireManifest(resources);
    }

    public IEnumerable<string> Names(string type) =>
        _resources.Where(resource => Type(resource.Key) == type).Select(resource => resource.Key);

    public string Type(string name) => _resources[name].GetProperty("type").GetString()!;

    public JsonElement this[string name] => _resources[name];

    /// <summary>A parameter's default when it has a plain one; <see langword="null"/> when the operator must supply it (or it is generated).</summary>
    public string? ParameterDefault(string name) =>
        _resources[name].GetProperty("inputs").GetProperty("value").TryGetProperty("default", out var value)
        && value.TryGetProperty("value", out var literal) ? literal.GetString() : null;

    public bool IsSecret(string name) =>
        _resources[name].GetProperty("inputs").GetProperty("value").TryGetProperty("secret", out var secret) && secret.GetBoolean();

    /// <summary>The bindings of a resource that exist in the cluster: https ones do not (TLS ends at the ingress).</summary>
    public IEnumerable<(string Name, int Port, string Scheme, bool External)> Bindings(string resource)
    {
        if (!_resources[resource].TryGetProperty("bindings", out var bindings))
        {
            yield break;
        }
        foreach (var binding in bindings.EnumerateObject())
        {
            if (Port(resource, binding.Name) is { } port)
            {
                var external = binding.Value.TryGetProperty("external", out var flag) && flag.GetBoolean();
                yield return (binding.Name, port, binding.Value.GetProperty("scheme").GetString()!, external);
            }
        }
    }

    private int? Port(string resource, string binding)
    {
        var value = _resources[resource].GetProperty("bindings").GetProperty(binding);
        if (value.GetProperty("scheme").GetString() == "https")
        {
            return null;
        }
        return value.TryGetProperty("targetPort", out var port) ? port.GetInt32() : DefaultHttpPort;
    }

    /// <summary>
    /// Resolves a manifest value: <see langword="null"/> when the cluster cannot express it (an
    /// https binding, a URI-encoded secret), so the variable is left out; <paramref name="references"/>
    /// collects the resources it names (who must reach whom).
    /// </summary>
    public IReadOnlyList<ValuePart>? Resolve(string value, ISet<string> references)
    {
        var parts = new List<ValuePart>();
        var at = 0;
        foreach (Match match in Expression().Matches(value))
        {
            if (match.Index > at)
            {
                parts.Add(new ValuePart(value[at..match.Index], Parameter: null));
            }
            var resolved = ResolveExpression(match.Groups[1].Value, references);
            if (resolved is null)
            {
                return null;
            }
            parts.AddRange(resolved);
            at = match.Index + match.Length;
        }
        if (at < value.Length)
        {
            parts.Add(new ValuePart(value[at..], Parameter: null));
        }
        return Merge(parts);
    }

    private IReadOnlyList<ValuePart>? ResolveExpression(string expression, ISet<string> references)
    {
        var path = expression.Split('.');
        var resource = path[0];
        var type = Type(resource);
        switch (path[1..])
        {
            case ["value"] when type == "parameter.v0":
                return [new ValuePart(Text: null, Parameter: resource)];
            case ["value"]:
                return null;   // annotated.string (a URI-encoded secret): no such filter in a pod spec
            case ["connectionString"]:
                var connectionString = _resources[resource].GetProperty("connectionString").GetString()!;
                if (type != "value.v0")
                {
                    references.Add(resource);
                }
                return Resolve(connectionString, references);
            case ["bindings", var binding, var property]:
                references.Add(resource);
                if (Port(resource, binding) is not { } port)
                {
                    return null;
                }
                var scheme = _resources[resource].GetProperty("bindings").GetProperty(binding).GetProperty("scheme").GetString();
                string? text = property switch
                {
                    "host" => resource,
                    "port" or "targetPort" => port.ToString(CultureInfo.InvariantCulture),
                    "scheme" => scheme,
                    "url" => $"{scheme}://{resource}:{port}",
                    _ => null,
                };
                return text is null ? null : [new ValuePart(text, Parameter: null)];
            default:
                return null;
        }
    }

    private static List<ValuePart> Merge(List<ValuePart> parts)
    {
        var merged = new List<ValuePart>();
        foreach (var part in parts)
        {
            if (part.Text is not null && merged.Count > 0 && merged[^1].Text is { } previous)
            {
                merged[^1] = new ValuePart(previous + part.Text, Parameter: null);
            }
            else if (part.Text is not "")
            {
                merged.Add(part);
            }
        }
        return merged;
    }

    [GeneratedRegex(@"\{([a-zA-Z0-9\-]+(?:\.[a-zA-Z0-9\-]+)+)\}")]
    private static partial Regex Expression();
}

/// <summary>Literal text, or a reference to a parameter's value.</summary>
public sealed record ValuePart(string? Text, string? Parameter);
