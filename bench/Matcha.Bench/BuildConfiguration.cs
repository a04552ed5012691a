using System.Reflection;

namespace Matcha.Bench;

/// <summary>
/// The configuration the services run in. Aspire launches each project from its output folder for
/// the AppHost's own configuration (bin/Release when the benchmark is run with -c Release), and
/// the benchmark references the services' projects, so their assemblies here are the same build.
/// </summary>
internal static class BuildConfiguration
{
    public static string OfServices =>
        typeof(Matcha.Catalog.Search.SearchText).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "unknown";

    public static void Print()
    {
        Console.WriteLine($"Build configuration: services {OfServices}, benchmark {Assembly.GetExecutingAssembly().GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration}");
        if (OfServices != "Release")
        {
            Console.WriteLine("  warning: not Release; run with -c Release for figures worth comparing");
        }
    }
}
