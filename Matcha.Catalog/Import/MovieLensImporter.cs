using System.Globalization;
using System.Text;
using Microsoft.VisualBasic.FileIO;
using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Catalog.Import;

/// <summary>What an import did, row by row of the input.</summary>
public sealed record ImportReport(int Read, int Inserted, int Merged, int Unchanged, int Skipped);

/// <summary>
/// Imports MovieLens-format films: ml-latest(-small)'s <c>movies.csv</c> + <c>links.csv</c>, or
/// ml-100k's <c>u.item</c>. A film already present is merged, matched by MovieLens id, then IMDb
/// id, then TMDB id (for u.item, which has no ids, by title and year): missing ids are filled
/// in and curated facts are left alone (a TMDB id only counts when the row has no IMDb id, as
/// MovieLens gives a few films the same one). Each film's rating count in the data set beside it
/// (<c>ratings.csv</c>, or ml-100k's <c>u.data</c>) becomes its <see cref="Movie.PriorVotes"/>, the
/// popularity prior the home shelves and rate to start order by: set on a film inserted, filled on
/// a film present that has none. Running an import twice changes nothing the second time.
/// </summary>
public sealed class MovieLensImporter(CatalogDbContext db)
{
    private const int BatchSize = 1000;

    public async Task<ImportReport> ImportAsync(string path, IProgress<ImportReport>? progress, CancellationToken ct)
    {
        var rows = Directory.Exists(path) && File.Exists(Path.Combine(path, "movies.csv"))
            ? ReadLatest(path)
            : File.Exists(path) && Path.GetFileName(path) == "u.item"
                ? Read100k(path)
                : throw new FileNotFoundException($"Expected a folder with movies.csv and links.csv, or a u.item file: {path}");

        var index = await MovieIndex.LoadAsync(db, ct);
        var report = new ImportReport(0, 0, 0, 0, 0);
        foreach (var batch in rows.Chunk(BatchSize))
        {
            foreach (var row in batch)
            {
                report = await ApplyAsync(row, index, report, ct);
            }
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            progress?.Report(report);
        }
        return report;
    }

    private async Task<ImportReport> ApplyAsync(ImportRow row, MovieIndex index, ImportReport report, CancellationToken ct)
    {
        report = report with { Read = report.Read + 1 };
        if (string.IsNullOrWhiteSpace(row.Title))
        {
            return report with { Skipped = report.Skipped + 1 };
        }

        if (index.Find(row) is { } existing)
        {
            var fillsMovieLens = existing.MovieLensId is null && row.MovieLensId is { } ml && !index.HasMovieLensId(ml);
            var fillsImdb = existing.ImdbId is null && row.ImdbId is { } imdb && !index.HasImdbId(imdb);
            var fillsTmdb = existing.TmdbId is null && row.TmdbId is { } tmdb && !index.HasTmdbId(tmdb);
            var fillsVotes = existing.PriorVotes == 0 && row.Votes > 0;
            if (!fillsMovieLens && !fillsImdb && !fillsTmdb && !fillsVotes)
            {
                return report with { Unchanged = report.Unchanged + 1 };
            }

            var movie = await db.Movies.SingleAsync(m => m.Id == existing.Id, ct);
            movie.MovieLensId = fillsMovieLens ? row.MovieLensId : movie.MovieLensId;
            movie.ImdbId = fillsImdb ? row.ImdbId : movie.ImdbId;
            movie.TmdbId = fillsTmdb ? row.TmdbId : movie.TmdbId;
            movie.PriorVotes = fillsVotes ? row.Votes : movie.PriorVotes;
            movie.Version++;
            index.Update(existing with { MovieLensId = movie.MovieLensId, ImdbId = movie.ImdbId, TmdbId = movie.TmdbId, PriorVotes = movie.PriorVotes });
            return report with { Merged = report.Merged + 1 };
        }

        var created = new Movie
        {
            OriginalLanguage = "und",
            OriginalTitle = row.OriginalTitle ?? row.Title,
            Titles = [new MovieTitle { Language = "en", Title = row.Title }],
            Year = row.Year,
            Genres = row.Genres,
            MovieLensId = row.MovieLensId is { } id && !index.HasMovieLensId(id) ? id : null,
            ImdbId = row.ImdbId is { } imdbId && !index.HasImdbId(imdbId) ? imdbId : null,
            TmdbId = row.TmdbId is { } tmdbId && !index.HasTmdbId(tmdbId) ? tmdbId : null,
            PriorVotes = row.Votes,
        };
        created.RefreshSearchFields();
        db.Movies.Add(created);
        index.Add(created);
        return report with { Inserted = report.Inserted + 1 };
    }

    private static IEnumerable<ImportRow> ReadLatest(string folder)
    {
        var links = new Dictionary<int, (string? Imdb, int? Tmdb)>();
        foreach (var link in ReadCsv(Path.Combine(folder, "links.csv")))
        {
            links[int.Parse(link[0], CultureInfo.InvariantCulture)] = (
                link[1] is { Length: > 0 } imdb ? "tt" + imdb.PadLeft(7, '0') : null,
                int.TryParse(link[2], CultureInfo.InvariantCulture, out var tmdb) ? tmdb : null);
        }

        // userId,movieId,rating,timestamp: only the film's column is read, without the CSV parser (no quotes here; 100,000+ lines).
        var votes = CountVotes(Path.Combine(folder, "ratings.csv"), skipHeader: true, ',', column: 1);
        foreach (var row in ReadCsv(Path.Combine(folder, "movies.csv")))
        {
            var movieId = int.Parse(row[0], CultureInfo.InvariantCulture);
            var (title, original, year) = MovieLensTitle.Parse(row[1]);
            var (imdb, tmdb) = links.GetValueOrDefault(movieId);
            yield return new ImportRow(title, original, year, MapGenres(row[2].Split('|')), movieId, imdb, tmdb, votes.GetValueOrDefault(movieId));
        }
    }

    /// <summary>How many ratings each film has in a ratings file (none when there is no such file beside the films).</summary>
    private static Dictionary<int, int> CountVotes(string path, bool skipHeader, char separator, int column)
    {
        var votes = new Dictionary<int, int>();
        if (!File.Exists(path))
        {
            return votes;
        }
        foreach (var line in File.ReadLines(path).Skip(skipHeader ? 1 : 0))
        {
            var fields = line.Split(separator);
            if (fields.Length > column && int.TryParse(fields[column], CultureInfo.InvariantCulture, out var film))
            {
                votes[film] = votes.GetValueOrDefault(film) + 1;
            }
        }
        return votes;
    }

    /// <summary>RFC 4180 rows after the header, with the BCL's own parser (quoted titles hold commas).</summary>
    private static IEnumerable<string[]> ReadCsv(string path)
    {
        using var parser = new TextFieldParser(path, Encoding.UTF8) { HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        parser.ReadFields();   // header
        while (parser.ReadFields() is { } fields)
        {
            yield return fields;
        }
    }

    /// <summary>ml-100k: "id|title|release date|video release date|IMDb URL|19 genre flags", Latin-1; u.data beside it: "user⇥item⇥rating⇥time".</summary>
    private static IEnumerable<ImportRow> Read100k(string path)
    {
        var votes = CountVotes(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "u.data"), skipHeader: false, '\t', column: 1);
        string[] genres = ["unknown", "Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary", "Drama",
            "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"];
        foreach (var line in File.ReadLines(path, Encoding.Latin1))
        {
            var fields = line.Split('|');
            if (fields.Length < 5 + genres.Length)
            {
                continue;
            }
            var (title, original, year) = MovieLensTitle.Parse(fields[1]);
            var flagged = genres.Where((_, i) => fields[5 + i] == "1");
            var id = int.Parse(fields[0], CultureInfo.InvariantCulture);
            yield return new ImportRow(title, original, year, MapGenres(flagged), MovieLensId: null, ImdbId: null, TmdbId: null, votes.GetValueOrDefault(id));
        }
    }

    private static List<string> MapGenres(IEnumerable<string> names) =>
        [.. names.Select(Genres.FromMovieLens).OfType<string>().Distinct()];
}

internal sealed record ImportRow(string Title, string? OriginalTitle, int Year, List<string> Genres, int? MovieLensId, string? ImdbId, int? TmdbId, int Votes);
