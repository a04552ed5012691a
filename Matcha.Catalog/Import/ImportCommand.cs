using System.Diagnostics;
using Matcha.Catalog.Data;
using Matcha.Data;

namespace Matcha.Catalog.Import;

/// <summary>
/// <c>Matcha.Catalog import &lt;path&gt; --ConnectionStrings:catalogdb="Host=…"</c>: imports a
/// MovieLens folder (movies.csv + links.csv) or an ml-100k u.item file, printing progress and,
/// at the end, what it did. The schema is migrated first, as the service would.
/// </summary>
internal static class ImportCommand
{
    public static bool Matches(string[] args) => args is ["import", ..];

    public static async Task RunAsync(string[] args)
    {
        if (args is not ["import", var path, .. var rest])
        {
            Console.Error.WriteLine("usage: Matcha.Catalog import <folder with movies.csv and links.csv | u.item> [--ConnectionStrings:catalogdb=<connection string>]");
            Environment.ExitCode = 2;
            return;
        }

        var builder = Host.CreateApplicationBuilder(rest);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddServiceDatabase<CatalogDbContext>("catalogdb");
        builder.Services.AddScoped<MovieLensImporter>();
        using var host = builder.Build();
        await host.StartAsync();

        var stopwatch = Stopwatch.StartNew();
        await using var scope = host.Services.CreateAsyncScope();
        var importer = scope.ServiceProvider.GetRequiredService<MovieLensImporter>();
        var report = await importer.ImportAsync(Path.GetFullPath(path), new Progress<ImportReport>(r =>
            Console.WriteLine($"  {r.Read,7} rows read: {r.Inserted} inserted, {r.Merged} merged, {r.Unchanged} unchanged, {r.Skipped} skipped")),
            CancellationToken.None);
        Console.WriteLine($"Imported {path} in {stopwatch.Elapsed.TotalSeconds:F1} s: {report.Read} rows read, " +
            $"{report.Inserted} films inserted, {report.Merged} merged into films already present, {report.Unchanged} unchanged, {report.Skipped} skipped.");
        await host.StopAsync();
    }
}
