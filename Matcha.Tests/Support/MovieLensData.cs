namespace Matcha.Tests.Support;

/// <summary>
/// The MovieLens small data set, read where the project keeps it: ../shared/data beside the
/// repository (research, non-commercial licence; never copied into the repository).
/// </summary>
public static class MovieLensData
{
    public static string SmallFolder()
    {
        // MATCHA_MOVIELENS_SMALL names another copy (a git worktree sits elsewhere than ../shared).
        var folder = Environment.GetEnvironmentVariable("MATCHA_MOVIELENS_SMALL") is { Length: > 0 } named
            ? named
            : Path.Combine(RepositoryRoot(), "..", "shared", "data", "ml-latest-small");
        return File.Exists(Path.Combine(folder, "movies.csv"))
            ? Path.GetFullPath(folder)
            : throw new FileNotFoundException($"The MovieLens small data set is expected at {Path.GetFullPath(folder)}.");
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Matcha.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new DirectoryNotFoundException("Matcha.sln not found above " + AppContext.BaseDirectory);
    }
}
