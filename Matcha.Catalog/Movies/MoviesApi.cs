using System.Globalization;
using Matcha.Catalog.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Catalog.Movies;

internal static class MoviesApi
{
    public static IEndpointRouteBuilder MapMoviesApi(this IEndpointRouteBuilder app)
    {
        var movies = app.MapGroup("/movies").WithTags("Movies");
        movies.MapGet("/", ListMovies).WithSummary("Lists films in id order, one keyset page at a time.");
        movies.MapGet("/{id:int}", GetMovie).WithSummary("Gets one film.");
        return app;
    }

    private static async Task<Results<Ok<Page<MovieSummary>>, ValidationProblem>> ListMovies(
        CatalogDbContext db, string? cursor, int? pageSize, CancellationToken cancellationToken)
    {
        if (PageRequest.Validate(pageSize) is { } problem)
        {
            return problem;
        }
        if (!PageRequest.TryReadCursor(cursor, out var after, out var cursorProblem))
        {
            return cursorProblem!;
        }

        var size = pageSize ?? PageRequest.DefaultPageSize;
        var items = await db.Movies.AsNoTracking()
            .Where(m => m.Id > after)
            .OrderBy(m => m.Id)
            .Take(size + 1)
            .Select(m => new MovieSummary(m.Id, m.Title, m.Year))
            .ToListAsync(cancellationToken);

        return TypedResults.Ok(items.ToPage(size, m => m.Id.ToString(CultureInfo.InvariantCulture)));
    }

    private static async Task<Results<Ok<MovieSummary>, NotFound>> GetMovie(CatalogDbContext db, int id, CancellationToken cancellationToken)
    {
        var movie = await db.Movies.AsNoTracking()
            .Where(m => m.Id == id)
            .Select(m => new MovieSummary(m.Id, m.Title, m.Year))
            .SingleOrDefaultAsync(cancellationToken);
        return movie is null ? TypedResults.NotFound() : TypedResults.Ok(movie);
    }
}

public sealed record MovieSummary(int Id, string Title, int? Year);
