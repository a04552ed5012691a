using Matcha.K8s;

// dotnet run --project eng/Matcha.K8s -- <aspire-manifest.json> <deploy/k8s>
if (args is not [var manifestPath, var outputPath])
{
    Console.Error.WriteLine("Usage: Matcha.K8s <aspire-manifest.json> <output directory, e.g. deploy/k8s>");
    return 2;
}

var files = KubernetesManifests.Generate(AspireManifest.Parse(await File.ReadAllTextAsync(manifestPath)));
var output = Path.GetFullPath(outputPath);
// Generated files only: the operator's secrets.env, git-ignored, stays.
foreach (var stale in Directory.Exists(output) ? Directory.EnumerateFiles(output, "*.yaml", SearchOption.AllDirectories) : [])
{
    File.Delete(stale);
}
foreach (var (path, text) in files)
{
    var file = Path.Combine(output, path);
    Directory.CreateDirectory(Path.GetDirectoryName(file)!);
    await File.WriteAllTextAsync(file, text);
}
Console.WriteLine($"Wrote {files.Count} files to {output}");
return 0;
