using System.Globalization;
using Matcha.EventBus;
using Matcha.Ratings.Authors;
using Matcha.Ratings.Data;
using Matcha.Ratings.Paging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Matcha.Ratings.Comments;

internal static class CommentsApi
{
    public static IEndpointRouteBuilder MapCommentsApi(this IEndpointRouteBuilder app)
    {
        var film = app.MapGroup("/movies/{movieId:int}/comments").WithTags("Comments").RequireAuthorization();
        film.MapGet("/", ListComments)
            .WithSummary("Lists a film's comments, newest first or most liked first (sort=likes); a spoiler's text only when includeSpoilers=true.");
        film.MapPost("/", PostComment).WithSummary("Posts the caller's one comment on a film.");

        var comment = app.MapGroup("/comments/{id:long}").WithTags("Comments").RequireAuthorization();
        comment.MapPut("/", EditComment).WithSummary("Edits the caller's own comment.");
        comment.MapDelete("/", DeleteComment).WithSummary("Deletes the caller's own comment.");
        comment.MapPut("/like", Like).WithSummary("Likes someone else's comment (once).");
        comment.MapDelete("/like", Unlike).WithSummary("Takes the caller's like back.");

        app.MapGet("/me/comments", MyComments).WithTags("Comments").RequireAuthorization()
            .WithSummary("The caller's comments, newest first, with their text.");
        return app;
    }

    internal static async Task<Results<Ok<Page<CommentView>>, ValidationProblem>> ListComments(
        RatingsDbContext db, CurrentUser user, int movieId, string? sort, string? cursor, int? pageSize, bool? includeSpoilers, CancellationToken cancellationToken)
    {
        if (!PageQuery.TryRead(pageSize, cursor, out var page, out var problem))
        {
            return problem;
        }
        if (sort is not (null or "newest" or "likes"))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["sort"] = ["sort must be newest or likes."] });
        }

        var after = page.After;
        var showSpoilers = includeSpoilers ?? false;
        var (likes, id) = after ?? (0, 0);
        var comments = db.Comments.AsNoTracking().Where(c => c.MovieId == movieId);
        comments = sort == "likes"
            ? comments.Where(c => after == null || c.LikeCount < likes || (c.LikeCount == likes && c.Id < id))
                .OrderByDescending(c => c.LikeCount).ThenByDescending(c => c.Id)
            : comments.Where(c => after == null || c.Id < id).OrderByDescending(c => c.Id);
        var items = await comments
            .Take(page.Fetch)
            .WithAuthors(db)
            .Select(c => new CommentView(
                c.Comment.Id, c.Comment.MovieId, c.Author, c.Comment.UserId == user.Id,
                c.Comment.IsSpoiler && !showSpoilers ? null : c.Comment.Text, c.Comment.IsSpoiler, c.Comment.LikeCount, c.Comment.CreatedAt, c.Comment.UpdatedAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(page.ToPage(items, c => (sort == "likes" ? c.LikeCount : 0, c.Id)));
    }

    /// <summary>
    /// Each comment with its author's name and handle as Accounts last announced them; null while
    /// the announcement is on its way. Applied to a page already ordered and cut: EF Core makes the
    /// page a subquery and repeats its ORDER BY outside, so the join keeps the page's order.
    /// </summary>
    private static IQueryable<CommentWithAuthor> WithAuthors(this IQueryable<Comment> comments, RatingsDbContext db) =>
        from comment in comments
        join author in db.Authors on comment.UserId equals author.UserId into found
        from author in found.DefaultIfEmpty()
        select new CommentWithAuthor(comment, author == null ? null : new AuthorView(author.Handle, author.DisplayName));

    private static Task<AuthorView?> AuthorOfAsync(RatingsDbContext db, Guid userId, CancellationToken cancellationToken) =>
        db.Authors.AsNoTracking().Where(a => a.UserId == userId).Select(a => new AuthorView(a.Handle, a.DisplayName)).SingleOrDefaultAsync(cancellationToken);

    private static async Task<Results<Created<CommentView>, NotFound, ValidationProblem, ProblemHttpResult>> PostComment(
        int movieId, CommentInput input, CurrentUser user, RatingsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (input.Validate() is { } problem)
        {
            return problem;
        }
        if (!await db.Movies.AnyAsync(m => m.Id == movieId && m.RemovedAt == null, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        var now = clock.GetUtcNow();
        var comment = new Comment
        {
            MovieId = movieId, UserId = user.Id, Text = input.Text!.Trim(), IsSpoiler = input.IsSpoiler ?? false, CreatedAt = now, UpdatedAt = now,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Comments.Add(comment);
        try
        {
            await db.SaveChangesAsync(cancellationToken);   // the event needs the comment's id
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return TypedResults.Problem("You have already commented on this film; edit that comment instead.",
                title: "One comment per film", statusCode: StatusCodes.Status409Conflict);
        }
        db.AddEvent(new CommentPosted(comment.Id, movieId, user.Id, comment.IsSpoiler, now));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/comments/{comment.Id.ToString(CultureInfo.InvariantCulture)}",
            CommentView.Own(comment, await AuthorOfAsync(db, user.Id, cancellationToken)));
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> EditComment(
        long id, CommentInput input, CurrentUser user, RatingsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (input.Validate() is { } problem)
        {
            return problem;
        }
        // Someone else's comment is as good as absent: 404, and nothing changes.
        var text = input.Text!.Trim();
        var spoiler = input.IsSpoiler ?? false;
        var now = clock.GetUtcNow();
        var edited = await db.Comments
            .Where(c => c.Id == id && c.UserId == user.Id)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.Text, text).SetProperty(x => x.IsSpoiler, spoiler).SetProperty(x => x.UpdatedAt, now), cancellationToken);
        return edited == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound>> DeleteComment(
        long id, CurrentUser user, RatingsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var comment = await db.Comments
            .FromSql($"SELECT * FROM comments WHERE id = {id} AND user_id = {user.Id} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        if (comment is null)
        {
            return TypedResults.NotFound();
        }
        await db.CommentLikes.Where(l => l.CommentId == id).ExecuteDeleteAsync(cancellationToken);
        db.Comments.Remove(comment);
        db.AddEvent(new CommentRemoved(comment.Id, comment.MovieId, user.Id, clock.GetUtcNow()));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> Like(
        long id, CurrentUser user, RatingsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var author = await db.Comments.Where(c => c.Id == id).Select(c => (Guid?)c.UserId).SingleOrDefaultAsync(cancellationToken);
        if (author is null)
        {
            return TypedResults.NotFound();
        }
        if (author == user.Id)
        {
            return TypedResults.Problem("Liking your own comment does not count.", title: "Own comment", statusCode: StatusCodes.Status403Forbidden);
        }
        var liked = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO comment_likes (comment_id, user_id, created_at) VALUES ({id}, {user.Id}, {clock.GetUtcNow()})
            ON CONFLICT DO NOTHING
            """, cancellationToken);
        if (liked == 1)
        {
            await db.Comments.Where(c => c.Id == id).ExecuteUpdateAsync(c => c.SetProperty(x => x.LikeCount, x => x.LikeCount + 1), cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> Unlike(long id, CurrentUser user, RatingsDbContext db, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var unliked = await db.CommentLikes.Where(l => l.CommentId == id && l.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        if (unliked == 1)
        {
            await db.Comments.Where(c => c.Id == id).ExecuteUpdateAsync(c => c.SetProperty(x => x.LikeCount, x => x.LikeCount - 1), cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<Page<CommentView>>, ValidationProblem>> MyComments(
        CurrentUser user, RatingsDbContext db, string? cursor, int? pageSize, CancellationToken cancellationToken)
    {
        if (!PageQuery.TryRead(pageSize, cursor, out var page, out var problem))
        {
            return problem;
        }
        var after = page.After;
        var (_, before) = after ?? (0, 0);
        var author = await AuthorOfAsync(db, user.Id, cancellationToken);
        var items = await db.Comments.AsNoTracking()
            .Where(c => c.UserId == user.Id && (after == null || c.Id < before))
            .OrderByDescending(c => c.Id)
            .Take(page.Fetch)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(page.ToPage([.. items.Select(c => CommentView.Own(c, author))], Position));
    }

    /// <summary>A comment's place in the caller's list newest first, as its cursor names it.</summary>
    internal static (long, long) Position(CommentView comment) => (0L, comment.Id);
}

public sealed record CommentInput(string? Text, bool? IsSpoiler)
{
    /// <summary>A 400 naming <c>text</c> unless it has 1 to <see cref="Comment.MaxTextLength"/> characters after trimming.</summary>
    public ValidationProblem? Validate() =>
        Text?.Trim() is { Length: > 0 and <= Comment.MaxTextLength } text && StoredText.IsStorable(text)
            ? null
            : TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["text"] = [$"text must have 1 to {Comment.MaxTextLength} characters, and no NUL."],
            });
}

/// <summary>
/// A comment as clients see it: <see cref="Text"/> is null for a hidden spoiler; the author is
/// named by display name and profile handle, never by user id, and null while Accounts'
/// announcement of the account is on its way; <see cref="Mine"/> tells the caller their own.
/// </summary>
public sealed record CommentView(
    long Id, int MovieId, AuthorView? Author, bool Mine, string? Text, bool IsSpoiler, int LikeCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static CommentView Own(Comment c, AuthorView? author) =>
        new(c.Id, c.MovieId, author, true, c.Text, c.IsSpoiler, c.LikeCount, c.CreatedAt, c.UpdatedAt);
}

internal sealed record CommentWithAuthor(Comment Comment, AuthorView? Author);
