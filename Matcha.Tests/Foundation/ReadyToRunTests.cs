using System.Xml.Linq;

namespace Matcha.Tests.Foundation;

/// <summary>
/// <c>./eng/run.sh</c> compiles the AppHost and every project it runs as a local process ahead of
/// time (eng/ReadyToRun.targets), about 4 s of a start (docs/running.md, "What the start costs").
/// A project opts in with <c>MatchaLocalExecutable</c>; one that does not would quietly start
/// JIT-compiling its packages again. Fast: reads the project files, builds nothing.
/// </summary>
public sealed class ReadyToRunTests
{
    private static readonly string Repository = MovieLensData.RepositoryRoot();

    [Fact]
    public void EveryProjectTheAppHostRunsIsCompiledAheadOfTimeByRunSh()
    {
        var appHost = Path.Combine(Repository, "Matcha.AppHost", "Matcha.AppHost.csproj");
        var projects = XDocument.Load(appHost).Descendants("ProjectReference")
            .Select(reference => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(appHost)!, reference.Attribute("Include")!.Value.Replace('\\', '/'))))
            .Prepend(appHost)
            .ToList();

        var notCompiled = projects
            .Where(project => XDocument.Load(project).Descendants("MatchaLocalExecutable").SingleOrDefault()?.Value != "true")
            .Select(Path.GetFileNameWithoutExtension);

        Assert.Equal(6, projects.Count);   // the AppHost, four services and the gateway
        Assert.Empty(notCompiled);
    }

    [Fact]
    public void RunShBuildsWithTheImagesAndTheSharedTargetsMakeThem()
    {
        var runSh = File.ReadAllText(Path.Combine(Repository, "eng", "run.sh"));
        var imports = XDocument.Load(Path.Combine(Repository, "Directory.Build.targets")).Descendants("Import")
            .Select(import => import.Attribute("Project")!.Value);

        Assert.Contains("dotnet run --project Matcha.AppHost --launch-profile http -p:MatchaReadyToRun=true", runSh, StringComparison.Ordinal);
        Assert.Contains("eng/ReadyToRun.targets", imports);
    }
}
