using System.Reflection;
using System.Text.Json;

namespace Matcha.Tests.Foundation;

/// <summary>
/// The gateway keeps nothing durable, so no database code may reach it, not even through a
/// shared library: the event backbone (Matcha.EventBus) and the database start-up (Matcha.Data)
/// are referenced by the services only. Fast: reads the build output, starts nothing.
/// </summary>
public sealed class GatewayDependencyTests
{
    private const string Gateway = "Matcha.Gateway";
    private static readonly string[] DatabasePackages = ["Microsoft.EntityFrameworkCore", "Npgsql", "Aspire.Npgsql", "EFCore."];

    [Fact]
    public void TheGatewaysPackagesIncludeNeitherEfCoreNorNpgsql()
    {
        // The gateway's own deps.json (copied beside the tests for WebApplicationFactory) lists
        // every package it restores, transitive ones included, whether or not code calls them.
        var depsFile = Path.Combine(AppContext.BaseDirectory, $"{Gateway}.deps.json");
        using var deps = JsonDocument.Parse(File.ReadAllText(depsFile));

        var libraries = deps.RootElement.GetProperty("libraries").EnumerateObject().Select(l => l.Name.Split('/')[0]);

        Assert.DoesNotContain(libraries, IsDatabasePackage);
    }

    [Fact]
    public void TheGatewaysAssembliesReferenceNeitherEfCoreNorNpgsql()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<AssemblyName>([new AssemblyName(Gateway)]);
        while (pending.TryPop(out var name))
        {
            if (!seen.Add(name.Name!) || IsDatabasePackage(name.Name!))
            {
                continue;   // a database assembly is recorded; what it references does not matter
            }
            foreach (var reference in Assembly.Load(name).GetReferencedAssemblies())
            {
                pending.Push(reference);
            }
        }

        Assert.DoesNotContain(seen, IsDatabasePackage);
    }

    private static bool IsDatabasePackage(string name) =>
        DatabasePackages.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
}
