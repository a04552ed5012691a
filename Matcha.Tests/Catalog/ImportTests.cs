using Matcha.Catalog.Import;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Tests.Catalog;

[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class ImportTests(MatchaAppFixture fixture)
{
    [Fact]
    public async Task ImportingMovieLensReportsWhatTheFilesHoldAndTwiceChangesNothing()
    {
        var folder = MovieLensData.SmallFolder();
        var rows = File.ReadLines(Path.Combine(folder, "movies.csv")).Count() - 1;
        var progress = new List<ImportReport>();

        await using var db = await CatalogData.ContextAsync(fixture);
        var presentBefore = await db.Movies.Where(m => m.MovieLensId != null).Select(m => m.MovieLensId!.Value).ToListAsync();
        var alreadyPresent = presentBefore.Count;
        var first = await new MovieLensImporter(db).ImportAsync(folder, new SynchronousProgress(progress), CancellationToken.None);

        Assert.Equal(rows, first.Read);
        Assert.Equal(rows, first.Inserted + first.Merged + first.Unchanged + first.Skipped);
        // Films of the default catalogue that MovieLens also has are matched, not inserted again.
        Assert.True(alreadyPresent > 200, "the default catalogue knows the MovieLens ids of its films");
        Assert.Equal(rows - alreadyPresent, first.Inserted);
        Assert.True(progress.Count >= rows / 1000, "progress is reported at least once per thousand rows");
        Assert.Equal(rows, await db.Movies.CountAsync(m => m.MovieLensId != null));
        Assert.Equal(0, await db.Movies.GroupBy(m => m.ImdbId).Where(g => g.Key != null && g.Count() > 1).CountAsync());
        // Each film inserted carries its rating count in ratings.csv as its popularity prior (0 for a film nobody rated there).
        var votes = File.ReadLines(Path.Combine(folder, "ratings.csv")).Skip(1)
            .GroupBy(line => int.Parse(line.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture))
            .ToDictionary(g => g.Key, g => g.Count());
        var inserted = (await db.Movies.Where(m => m.MovieLensId != null).Select(m => new { Id = m.MovieLensId!.Value, m.PriorVotes }).ToListAsync())
            .ExceptBy(presentBefore, m => m.Id).ToList();
        Assert.Equal(first.Inserted, inserted.Count);
        Assert.All(inserted, m => Assert.Equal(votes.GetValueOrDefault(m.Id), m.PriorVotes));
        Assert.Contains(inserted, m => m.PriorVotes > 100);

        db.ChangeTracker.Clear();
        var versionsBefore = await db.Movies.SumAsync(m => (long)m.Version);
        var second = await new MovieLensImporter(db).ImportAsync(folder, null, CancellationToken.None);

        Assert.Equal(new ImportReport(rows, 0, 0, rows, 0), second);
        Assert.Equal(versionsBefore, await db.Movies.SumAsync(m => (long)m.Version));
    }

    [Fact]
    public async Task ImportingAnMl100kItemFileMergesByTitleAndYearAndCountsItsVotes()
    {
        var folder = Directory.CreateTempSubdirectory("matcha-u-item-");
        var path = Path.Combine(folder.FullName, "u.item");
        var unique = $"Quiet Harbour {Guid.NewGuid():N}";
        // id|title|release date|video release date|IMDb URL|19 genre flags (unknown, Action, …, Western)
        await File.WriteAllLinesAsync(path,
        [
            $"1|{unique} (1997)|01-Jan-1997||http://us.imdb.com/|0|0|0|0|0|0|0|0|1|0|0|0|0|0|1|0|0|0|0",
            "2|Parasite (2019)|30-May-2019||http://us.imdb.com/|0|0|0|0|0|1|0|0|1|0|0|0|0|0|0|0|1|0|0",
        ], System.Text.Encoding.Latin1);
        // user, item, rating, time: three votes for the new film, none for Parasite (so it stays unchanged).
        await File.WriteAllLinesAsync(Path.Combine(folder.FullName, "u.data"), ["1\t1\t4\t881250949", "2\t1\t5\t881250950", "3\t1\t3\t881250951"]);
        await using var db = await CatalogData.ContextAsync(fixture);

        var first = await new MovieLensImporter(db).ImportAsync(path, null, CancellationToken.None);
        var second = await new MovieLensImporter(db).ImportAsync(path, null, CancellationToken.None);

        Assert.Equal(new ImportReport(2, 1, 0, 1, 0), first);   // Parasite is already in the default catalogue
        Assert.Equal(new ImportReport(2, 0, 0, 2, 0), second);
        var imported = await db.Movies.Include(m => m.Titles).SingleAsync(m => m.OriginalTitle == unique);
        Assert.Equal(["drama", "romance"], imported.Genres.Order());
        Assert.Equal(1997, imported.Year);
        Assert.Equal(3, imported.PriorVotes);
        folder.Delete(recursive: true);
    }

    [Theory]
    [InlineData("Shawshank Redemption, The (1994)", "The Shawshank Redemption", null, 1994)]
    [InlineData("City of Lost Children, The (Cité des enfants perdus, La) (1995)", "The City of Lost Children", "La Cité des enfants perdus", 1995)]
    [InlineData("Seven (a.k.a. Se7en) (1995)", "Seven", null, 1995)]
    [InlineData("Babylon 5", "Babylon 5", null, 0)]
    public void ReadsMovieLensTitles(string raw, string title, string? original, int year) =>
        Assert.Equal((title, original, year), MovieLensTitle.Parse(raw));

    /// <summary>Progress&lt;T&gt; posts to the thread pool; a test wants every report, in order.</summary>
    private sealed class SynchronousProgress(List<ImportReport> reports) : IProgress<ImportReport>
    {
        public void Report(ImportReport value) => reports.Add(value);
    }
}
