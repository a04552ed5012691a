using System.Globalization;
using Matcha.Ratings.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Ratings.Comments;

internal static class CommentsApi
{
    public static IEndpointRouteBuilder MapCommentsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/movies/{movieId:int}/comments", ListComments)
            .WithTags("Comments")
            .WithSummary("Lists a film's comments, newest first; a spoiler's text only when includeSpoilers=true.");
        return app;
    }

    private static async Task<Results<Ok<Page<CommentView>>, ValidationProblem>> ListComments(
        RatingsDbContext db, int movieId, string? cursor, int? pageSize, bool? includeSpoilers, CancellationToken cancellationToken)
    {
        if (PageRequest.Validate(pageSize) is { } problem)
        {
            return problem;
        }
        if (!PageRequest.TryReadCursor(cursor, out var before, out var cursorProblem))
        {
            return cursorProblem!;
        }

        var size = pageSize ?? PageRequest.DefaultPageSize;
        var showSpoilers = includeSpoilers ?? false;
        var comments = await db.Comments.AsNoTracking()
            .Where(c => c.MovieId == movieId && (cursor == null || c.Id < before))
            .OrderByDescending(c => c.Id)
            .Take(size + 1)
            .Select(c => new CommentView(
                c.Id, c.UserId, c.IsSpoiler && !showSpoilers ? null : c.Text, c.IsSpoiler, c.LikeCount, c.CreatedAt))
            .ToListAsync(cancellationToken);

        return TypedResults.Ok(comments.ToPage(size, c => c.Id.ToString(CultureInfo.InvariantCulture)));
    }
}

/// <summary>A comment as clients see it: <see cref="Text"/> is null for a hidden spoiler.</summary>
public sealed record CommentView(long Id, Guid UserId, string? Text, bool IsSpoiler, int LikeCount, DateTimeOffset CreatedAt);
