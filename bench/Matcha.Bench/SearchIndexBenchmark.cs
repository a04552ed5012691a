using System.Diagnostics;
using Matcha.Catalog.Search;

namespace Matcha.Bench;

/// <summary>
/// Catalog's in-memory search index alone, in this process: its build time and heap at the
/// catalog benchmark's size, and the CPU time of one search per query kind (films, and films +
/// people, as the two endpoints rank them) — a figure that does not depend on what else the
/// machine runs, unlike the catalog benchmark's latencies.
/// </summary>
internal static class SearchIndexBenchmark
{
    public static int Run(BenchOptions options)
    {
        Console.WriteLine($"Search index: {options.Films:N0} films, {options.People:N0} people");
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var (films, people) = CatalogDataGenerator.SearchEntries(options.Films, options.People);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        using var index = new SearchIndex();
        index.Replace(films, people);   // as Catalog builds it (SearchIndexSync)
        var built = stopwatch.ElapsedMilliseconds;
        var builtCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
        var withEntries = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;   // as this command measured before the change log
        films.Clear();
        people.Clear();
        // The texts are the index's own now (it keeps them); the entries' other fields are garbage.
        Console.WriteLine($"  built in {built:N0} ms ({builtCpu:N0} ms CPU), heap +{(GC.GetTotalMemory(forceFullCollection: true) - heapBefore) / (1024 * 1024):N0} MB " +
            $"(the index alone; {withEntries / (1024 * 1024):N0} MB with the generated entries still held)");

        Console.WriteLine("| query kind | films: CPU µs per search | films + people: CPU µs per search |");
        Console.WriteLine("|---|---|---|");
        var worst = 0.0;
        foreach (var kind in CatalogDataGenerator.QueryKinds)
        {
            var queries = CatalogDataGenerator.Queries(kind, 200).Select(SearchText.Normalize).ToList();
            queries.ForEach(q => { index.Movies(q, 20); index.People(q, 20); });   // warm-up, JIT included
            var filmsOnly = CpuMicroseconds(queries, q => index.Movies(q, 20));
            var both = CpuMicroseconds(queries, q => { index.Movies(q, 20); index.People(q, 20); });
            worst = Math.Max(worst, both);
            Console.WriteLine($"| {kind} | {filmsOnly:F0} µs | {both:F0} µs |");
        }
        Console.WriteLine($"search-index: cpu_us_per_search_max={worst:F0}");
        return 0;
    }

    private static double CpuMicroseconds(List<string> queries, Action<string> search)
    {
        const int Rounds = 5;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var round = 0; round < Rounds; round++)
        {
            queries.ForEach(search);
        }
        return (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / (Rounds * queries.Count);
    }
}
