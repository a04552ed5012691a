namespace Matcha.AppHost.Infrastructure;

/// <summary>The machine's own PostgreSQL and Redis server programs.</summary>
internal sealed record LocalBinaries(string Postgres, string InitDb, string RedisServer)
{
    /// <summary>Postgres refuses to run as root; as root we start it as this account (Debian's package creates it).</summary>
    public const string PostgresAccount = "postgres";

    public const string InstallHint =
        "Matcha needs either a container runtime (Docker or Podman) or the PostgreSQL (15 or newer) and Redis server programs. " +
        "On Debian or Ubuntu: sudo apt-get install -y postgresql redis-server — or run ./eng/run.sh, which installs them.";

    public static LocalBinaries? Find()
    {
        var postgresBin = FindPostgresBinDirectory();
        var redis = FindOnPath("redis-server") ?? ExistingFile("/usr/bin/redis-server");
        return postgresBin is null || redis is null
            ? null
            : new LocalBinaries(Path.Combine(postgresBin, "postgres"), Path.Combine(postgresBin, "initdb"), redis);
    }

    /// <summary>
    /// <c>redis-cli</c>, which creates a Redis Cluster (<c>--redis cluster</c>); Debian ships it in
    /// redis-tools, which redis-server depends on.
    /// </summary>
    public static string? FindRedisCli() => FindOnPath("redis-cli") ?? ExistingFile("/usr/bin/redis-cli");

    /// <summary>What is missing, in words, for the start-up error.</summary>
    public static string DescribeMissing() =>
        string.Join(" and ", new[]
        {
            FindPostgresBinDirectory() is null ? "PostgreSQL (postgres, initdb)" : null,
            (FindOnPath("redis-server") ?? ExistingFile("/usr/bin/redis-server")) is null ? "redis-server" : null,
        }.OfType<string>());

    /// <summary>On Unix, <see cref="Environment.UserName"/> is the effective user's name.</summary>
    public static bool RunningAsRoot => OperatingSystem.IsLinux() && Environment.UserName == "root";

    public static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    /// <summary>
    /// <c>postgres</c> on PATH (resolving symlinks, so initdb is found beside it), else the newest
    /// <c>/usr/lib/postgresql/N/bin</c>, where Debian installs it without touching PATH.
    /// </summary>
    private static string? FindPostgresBinDirectory()
    {
        if (FindOnPath("postgres") is { } onPath)
        {
            var resolved = new FileInfo(onPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? onPath;
            var dir = Path.GetDirectoryName(resolved)!;
            if (File.Exists(Path.Combine(dir, "initdb")))
            {
                return dir;
            }
        }

        const string debianRoot = "/usr/lib/postgresql";
        return Directory.Exists(debianRoot)
            ? Directory.GetDirectories(debianRoot)
                .Where(d => int.TryParse(Path.GetFileName(d), out var major) && major >= 15)
                .OrderByDescending(d => int.Parse(Path.GetFileName(d), System.Globalization.CultureInfo.InvariantCulture))
                .Select(d => Path.Combine(d, "bin"))
                .FirstOrDefault(d => File.Exists(Path.Combine(d, "postgres")) && File.Exists(Path.Combine(d, "initdb")))
            : null;
    }

    private static string? ExistingFile(string path) => File.Exists(path) ? path : null;
}
