using System.Diagnostics;

namespace Matcha.AppHost.Infrastructure;

/// <summary>
/// The folder the AppHost owns for local Postgres and Redis data:
/// <c>Matcha:Infrastructure:DataDirectory</c> if set; else <c>/var/lib/matcha</c> when running
/// as root (the postgres account cannot enter root's home); else
/// <c>$XDG_DATA_HOME/matcha</c> (<c>~/.local/share/matcha</c>). It persists across runs
/// unless <c>ResetData</c> empties it first or <c>Ephemeral</c> makes a throw-away one.
/// </summary>
internal sealed class LocalDataFolder
{
    private LocalDataFolder(string root, bool ephemeral)
    {
        Root = root;
        Ephemeral = ephemeral;
    }

    public string Root { get; }
    public bool Ephemeral { get; }
    public string PostgresData => Path.Combine(Root, "postgres");
    public string PostgresPasswordFile => Path.Combine(Root, "postgres.password");
    public string RedisData => Path.Combine(Root, "redis");

    public static LocalDataFolder Prepare(InfrastructureOptions options)
    {
        var root = options.DataDirectory is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : options.Ephemeral
                ? Path.Combine(Path.GetTempPath(), $"matcha-{Guid.NewGuid():N}")
                : DefaultRoot();

        if (options.ResetData && Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        Directory.CreateDirectory(root);
        Directory.CreateDirectory(Path.Combine(root, "redis"));
        if (LocalBinaries.RunningAsRoot && OperatingSystem.IsLinux())
        {
            // Postgres must own its data folder and be able to reach it.
            File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            Directory.CreateDirectory(Path.Combine(root, "postgres"));
            Run("chown", LocalBinaries.PostgresAccount, Path.Combine(root, "postgres"));
        }

        return new LocalDataFolder(root, options.Ephemeral);
    }

    /// <summary>Writes a file that holds a secret, readable by its owner only.</summary>
    public static void WriteSecretFile(string path, string contents)
    {
        File.WriteAllText(path, contents);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public void Delete()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    private static string DefaultRoot()
    {
        if (LocalBinaries.RunningAsRoot && OperatingSystem.IsLinux())
        {
            return "/var/lib/matcha";
        }
        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(dataHome, "matcha");
    }

    internal static void Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true })
            ?? throw new InvalidOperationException($"Could not start {program}.");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{program} {string.Join(' ', args)}' failed ({process.ExitCode}): {error.Trim()}");
        }
    }
}
