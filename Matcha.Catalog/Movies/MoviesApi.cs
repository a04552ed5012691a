using Matcha.Catalog.Data;
using Matcha.Catalog.Search;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;

namespace Matcha.Catalog.Movies;

internal static class MoviesApi
{
    public const string ListsTag = "movie-lists";

    public static IEndpointRouteBuilder MapMoviesApi(this IEndpointRouteBuilder app)
    {
        var movies = app.MapGroup("/movies").WithTags("Movies");
        movies.MapGet("/", ListMovies)
            .WithSummary("Browses films (filters, sorts, keyset pages) or, with q, searches them.");
        movies.MapGet("/{id:int}", GetMovie)
            .Produces<MovieDetail>(StatusCodes.Status200OK, "application/json")
            .WithSummary("Gets one film with its credits and rating statistics.");
        return app;
    }

    private static async Task<Results<Ok<Page<MovieSummary>>, ValidationProblem>> ListMovies(
        [AsParameters] BrowseQuery query, CatalogReads reads, SearchIndexSync search, CardCache cards, HybridCache cache, TimeProvider clock, CancellationToken ct)
    {
        if (query.Validate() is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var today = clock.Today();
        if (query.Q is { } q)
        {
            return TypedResults.Ok(new Page<MovieSummary>(await CatalogSearch.MoviesAsync(reads.Public, search, cards, q, query.Size, today, ct), null));
        }

        var page = query.CacheKey is { } key
            ? await cache.GetOrCreateAsync(key, async ct => await MovieBrowser.BrowseAsync(await reads.ForFillAsync(ListsTag), query, today, ct),
                new HybridCacheEntryOptions { Expiration = TimeSpan.FromMinutes(1), LocalCacheExpiration = TimeSpan.FromSeconds(30) },
                [ListsTag], ct)
            : await MovieBrowser.BrowseAsync(reads.Public, query, today, ct);
        return TypedResults.Ok(page);
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> GetMovie(
        int id, CatalogReads reads, HybridCache cache, CachedJson json, TimeProvider clock, CancellationToken ct)
    {
        var today = clock.Today();
        // The page, statistics included, comes from the cache: the statistics consumer drops a film's
        // entry after each commit (MovieStatisticsApplier.AfterCommitAsync), so a change shows at
        // once. A load racing that commit can store the old figures: RankingsProjection drops the
        // changed films' pages again one round later, which bounds how long. With a standby, a fill
        // reads it unless a write fenced the film within CatalogStandbyOptions.FenceSeconds.
        var movie = await cache.GetOrCreateAsync(CacheKeys.Movie(id), async ct => await LoadAsync(await reads.ForFillAsync(CacheKeys.Movie(id)), id, today, ct),
            DetailEntry, tags: [CacheKeys.Movie(id)], cancellationToken: ct);
        return movie is null ? TypedResults.NotFound() : json.Ok(movie);
    }

    /// <summary>
    /// Redis keeps a page 10 minutes: every change drops it (admin writes by tag, statistics after commit and
    /// again one rankings round later). A process keeps its own copy 10 s, the bound for another replica's copy.
    /// </summary>
    private static readonly HybridCacheEntryOptions DetailEntry = new()
    {
        Expiration = TimeSpan.FromMinutes(10),
        LocalCacheExpiration = TimeSpan.FromSeconds(10),
    };

    private static async Task<MovieDetail?> LoadAsync(CatalogDbContext db, int id, DateOnly today, CancellationToken ct)
    {
        // One span per database load: HybridCache runs it once for a burst of requests.
        using var activity = CatalogTelemetry.Source.StartActivity("catalog.movie.load");
        activity?.SetTag("matcha.movie.id", id);
        var movie = await db.Movies.AsNoTracking()
            .Include(m => m.Titles)
            .Include(m => m.Credits).ThenInclude(c => c.Person).ThenInclude(p => p!.Names)
            .AsSplitQuery()
            .SingleOrDefaultAsync(m => m.Id == id, ct);
        return movie?.ToDetail(today);
    }
}

internal static class CacheKeys
{
    public static string Movie(int id) => $"movie:{id}";

    public static string Person(int id) => $"person:{id}";
}
