using Matcha.Catalog.Data;
using Matcha.Catalog.Movies;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Catalog.Import;

/// <summary>The ids of every film already in the catalogue, kept in memory for one import.</summary>
internal sealed class MovieIndex
{
    private readonly Dictionary<int, IndexedMovie> _byMovieLens = [];
    private readonly Dictionary<string, IndexedMovie> _byImdb = [];
    private readonly Dictionary<int, IndexedMovie> _byTmdb = [];
    private readonly Dictionary<(string, int), IndexedMovie> _byTitleAndYear = [];
    private readonly List<Movie> _added = [];

    public static async Task<MovieIndex> LoadAsync(CatalogDbContext db, CancellationToken ct)
    {
        var index = new MovieIndex();
        var movies = await db.Movies.AsNoTracking()
            .Select(m => new IndexedMovie(m.Id, m.MovieLensId, m.ImdbId, m.TmdbId, m.SortTitle, m.Year, m.Version, m.PriorVotes))
            .ToListAsync(ct);
        foreach (var movie in movies)
        {
            index.Update(movie);
        }
        return index;
    }

    public IndexedMovie? Find(ImportRow row)
    {
        FlushAdded();
        return (row.MovieLensId is { } ml ? _byMovieLens.GetValueOrDefault(ml) : null)
            ?? (row.ImdbId is { } imdb ? _byImdb.GetValueOrDefault(imdb) : null)
            // TMDB ids repeat in MovieLens' links (two films, one id): trusted only without an IMDb id.
            ?? (row.ImdbId is null && row.TmdbId is { } tmdb ? _byTmdb.GetValueOrDefault(tmdb) : null)
            ?? (row.MovieLensId is null && row.ImdbId is null ? _byTitleAndYear.GetValueOrDefault((Search.SearchText.Normalize(row.Title), row.Year)) : null);
    }

    public bool HasMovieLensId(int id) => _byMovieLens.ContainsKey(id) || _added.Any(m => m.MovieLensId == id);
    public bool HasImdbId(string id) => _byImdb.ContainsKey(id) || _added.Any(m => m.ImdbId == id);
    public bool HasTmdbId(int id) => _byTmdb.ContainsKey(id) || _added.Any(m => m.TmdbId == id);

    /// <summary>A film inserted by this import: its id is known only after the batch is saved.</summary>
    public void Add(Movie movie) => _added.Add(movie);

    public void Update(IndexedMovie movie)
    {
        if (movie.MovieLensId is { } ml)
        {
            _byMovieLens[ml] = movie;
        }
        if (movie.ImdbId is { } imdb)
        {
            _byImdb[imdb] = movie;
        }
        if (movie.TmdbId is { } tmdb)
        {
            _byTmdb[tmdb] = movie;
        }
        _byTitleAndYear.TryAdd((movie.SortTitle, movie.Year), movie);
    }

    private void FlushAdded()
    {
        foreach (var movie in _added.Where(m => m.Id != 0).ToList())
        {
            Update(new IndexedMovie(movie.Id, movie.MovieLensId, movie.ImdbId, movie.TmdbId, movie.SortTitle, movie.Year, movie.Version, movie.PriorVotes));
            _added.Remove(movie);
        }
    }
}

internal sealed record IndexedMovie(int Id, int? MovieLensId, string? ImdbId, int? TmdbId, string SortTitle, int Year, int Version, int PriorVotes);
