using System.Reflection;
using System.Runtime.InteropServices;

namespace Matcha.AppHost;

/// <summary>
/// Aspire starts a project as <c>dotnet run --project … --no-build</c>: before the service's own
/// process exists, the SDK evaluates the project with MSBuild, which cost 1–3 s of CPU per
/// service, five services at once on two cores (docs/running.md, "What the start costs"). The
/// AppHost's build has just built every service (they are its project references), so here each
/// runs its built executable from <c>bin/&lt;configuration&gt;</c> directly, in its project folder as
/// <c>dotnet run</c> would; a project whose executable is not there keeps Aspire's way. Published
/// models (deploy/k8s) are not touched.
/// </summary>
internal static class BuiltExecutables
{
    /// <summary>Every project in the model, including any a test adds, as it is about to start.</summary>
    public static IDistributedApplicationBuilder UseBuiltExecutables(this IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder;
        }
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            foreach (var project in @event.Model.Resources.OfType<ProjectResource>())
            {
                RunBuiltExecutable(project);
            }
            return Task.CompletedTask;
        });
        return builder;
    }

    private static void RunBuiltExecutable(ProjectResource project)
    {
        var projectPath = project.GetProjectMetadata().ProjectPath;
        var directory = Path.GetDirectoryName(projectPath)!;
        var name = Path.GetFileNameWithoutExtension(projectPath) + (OperatingSystem.IsWindows() ? ".exe" : "");
        // The configuration Aspire would pass to dotnet run: the AppHost's own; the services share its target framework.
        var configuration = typeof(BuiltExecutables).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var framework = $"net{Environment.Version.Major}.{Environment.Version.Minor}";
        var executable = Path.Combine(directory, "bin", configuration, framework, name);
        if (!File.Exists(executable))
        {
            return;
        }

        // The executable finds the runtime through DOTNET_ROOT: the one the AppHost runs on.
        var dotnetRoot = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        project.Annotations.Add(new ExecutableAnnotation { Command = executable, WorkingDirectory = directory });
        project.Annotations.Add(new EnvironmentCallbackAnnotation("DOTNET_ROOT", () => dotnetRoot));
    }
}
