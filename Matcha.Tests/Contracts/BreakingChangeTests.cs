using System.Diagnostics;

namespace Matcha.Tests.Contracts;

/// <summary>
/// The gRPC contracts (contracts/proto) read everything the released ones (contracts/released)
/// wrote: `buf breaking` passes on the repository as it is, and fails, naming the field, on a
/// copy where a field was removed or renumbered. buf is installed by eng/install-buf.sh.
/// </summary>
public sealed class BreakingChangeTests
{
    private const string CardsProto = "matcha/catalog/v1/cards.proto";

    [Fact]
    public async Task TheContractsInTheRepositoryDoNotBreakTheReleasedOnes()
    {
        var (exitCode, output) = await BufBreakingAsync(Path.Combine(RepositoryRoot(), "contracts", "proto"));

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task ARenumberedFieldFailsTheCheck()
    {
        using var copy = new ContractsCopy();
        copy.Edit(CardsProto, "string original_title = 3;", "string original_title = 30;");

        var (exitCode, output) = await BufBreakingAsync(copy.Proto);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Previously present field \"3\" with name \"original_title\" on message \"FilmCard\" was deleted", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARemovedFieldFailsTheCheck()
    {
        using var copy = new ContractsCopy();
        copy.Edit(CardsProto, "  optional string poster_url = 9;\n", "");

        var (exitCode, output) = await BufBreakingAsync(copy.Proto);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("\"poster_url\" on message \"FilmCard\" was deleted", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANewFieldWithANewNumberPasses()
    {
        using var copy = new ContractsCopy();
        copy.Edit(CardsProto, "  double popularity = 11;\n", "  double popularity = 11;\n  optional int32 runtime = 12;\n");

        var (exitCode, output) = await BufBreakingAsync(copy.Proto);

        Assert.True(exitCode == 0, output);
    }

    private static async Task<(int ExitCode, string Output)> BufBreakingAsync(string proto)
    {
        var root = RepositoryRoot();
        var buf = Path.Combine(root, ".tools", "buf", "node_modules", ".bin", "buf");
        Assert.True(File.Exists(buf), $"buf is not installed at {buf}: run ./eng/install-buf.sh (eng/test.sh does).");
        var start = new ProcessStartInfo(buf) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        foreach (var argument in (string[])["breaking", proto, "--against", Path.Combine(root, "contracts", "released")])
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await output + await error);
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Matcha.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Matcha.sln not found above the test binaries.");
    }

    /// <summary>A throw-away copy of contracts/proto that a test edits.</summary>
    private sealed class ContractsCopy : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), $"matcha-contracts-{Guid.NewGuid():N}");

        public ContractsCopy()
        {
            var source = Path.Combine(RepositoryRoot(), "contracts", "proto");
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(Proto, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }

        public string Proto => Path.Combine(_folder, "proto");

        public void Edit(string file, string from, string to)
        {
            var path = Path.Combine(Proto, file);
            var text = File.ReadAllText(path);
            Assert.Contains(from, text, StringComparison.Ordinal);   // the edit is real, or the test says so
            File.WriteAllText(path, text.Replace(from, to, StringComparison.Ordinal));
        }

        public void Dispose() => Directory.Delete(_folder, recursive: true);
    }
}
