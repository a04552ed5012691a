using Matcha.Data;
using Matcha.Ratings.Comments;
using Matcha.Ratings.Data;
using Matcha.Ratings.Recommendations;
using Matcha.Ratings.Recommendations.Serving;
using Matcha.Ratings.Wishlist;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Caching.Memory;

namespace Matcha.Ratings.MyFilms;

/// <summary>
/// The caller's own state for films, as a screen needs it, in one read per screen: on a film page
/// (my rating, wishlist state, comment, the comments I liked, my predicted rating and, when asked,
/// the most liked comments) and on lists (for up to 100 films: my rating, wishlist state and
/// predicted rating, and, when asked, my recommendations).
/// </summary>
internal static class MyFilmsApi
{
    public const int MaxIds = BatchIds.Max;

    public static IEndpointRouteBuilder MapMyFilmsApi(this IEndpointRouteBuilder app)
    {
        var mine = app.MapGroup("/me/movies").WithTags("My films").RequireAuthorization();
        mine.MapGet("/{movieId:int}", MyFilm)
            .WithSummary("The caller's rating, wishlist state, comment, likes and predicted rating for one film; with comments=N also the film's N most liked comments.");
        mine.MapGet("/", MyFilms)
            .WithSummary("The caller's rating, wishlist state and predicted rating for up to 100 films (ids=1,2,3), films with none of them left out; with recommendations=N also the caller's N recommendations.");
        return app;
    }

    private static async Task<Results<Ok<MyFilm>, ValidationProblem>> MyFilm(
        int movieId, int? comments, CurrentUser user, RatingsDbContext db, PersonalModels models, FilmShelf shelf, CancellationToken cancellationToken)
    {
        Page<CommentView>? mostLiked = null;
        if (comments is not null)
        {
            if (await CommentsApi.ListComments(db, user, movieId, "likes", null, comments, false, cancellationToken) is not { Result: Ok<Page<CommentView>> page })
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["comments"] = [$"comments must be between 1 and {PageRequest.MaxPageSize}."],
                });
            }
            mostLiked = page.Value;
        }
        // My score comes from my ratings that count, read once for the fold-in as on the lists' screens. My wish, my
        // comment and the comments I liked on this film come from one statement (three queries were three round trips,
        // each an index probe), sent in the same batch: one round trip for all (docs/performance.md, "My page in one
        // round trip").
        var (userScores, marks) = await db.ReadBatchAsync(
            async reader =>
            {
                var scores = await PersonalModels.ReadScoresAsync(reader, cancellationToken);
                await reader.NextResultAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                return (scores, new FilmMarks(
                    reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetFieldValue<long[]>(2)));
            },
            cancellationToken,
            PersonalModels.ScoresCommand(user.Id),
            Statements.Command("""
                SELECT (SELECT w.state FROM wishlist_entries w WHERE w.user_id = $1 AND w.movie_id = $2),
                       (SELECT c.id FROM comments c WHERE c.user_id = $1 AND c.movie_id = $2),
                       ARRAY(SELECT l.comment_id FROM comment_likes l JOIN comments c ON c.id = l.comment_id
                             WHERE l.user_id = $1 AND c.movie_id = $2 ORDER BY l.comment_id)
                """, user.Id, movieId));
        var score = userScores.Where(s => s.MovieId == movieId).Select(s => (decimal?)s.Score).FirstOrDefault();
        var wish = marks.Wish is { } state ? Enum.Parse<WishState>(state) : (WishState?)null;
        // A film Ratings has no copy of, or no model yet, has no prediction: null, as GET /me/predictions/{id} would 404.
        // The film list in memory answers which films Ratings knows, as on the lists' screens.
        var known = (await shelf.KnownAsync([movieId], cancellationToken)).Count > 0;
        var personal = known ? models.ForUser(user.Id, userScores) : null;
        return TypedResults.Ok(new MyFilm(movieId, score, wish, marks.CommentId, marks.Liked, personal?.Predict(movieId), mostLiked));
    }

    /// <summary>The caller's marks on one film as the statement gives them (the wish as the column stores it).</summary>
    private sealed record FilmMarks(string? Wish, long? CommentId, long[] Liked);

    private static async Task<Results<Ok<MyFilmStates>, ValidationProblem>> MyFilms(
        string? ids, int? recommendations, CurrentUser user, RatingsDbContext db, PersonalModels models, FilmShelf shelf, IMemoryCache cache,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        // Recommendations alone may come without ids (a home screen whose lists Catalog could not give).
        IReadOnlyList<int> movieIds = [];
        if (recommendations is null || !string.IsNullOrEmpty(ids))
        {
            if (!BatchIds.TryRead(ids, "ids", out var read, out var problem))
            {
                return problem;
            }
            movieIds = read;
        }
        if (recommendations is < 1 or > RecommendationsApi.MaxLimit)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["recommendations"] = [$"recommendations must be between 1 and {RecommendationsApi.MaxLimit}."],
            });
        }
        // The user's ratings that count are read once, all of them: the fold-in needs them all, and the page's scores are
        // among them. A second query for the page's films alone ran on a generic plan that read all of them anyway.
        // The user's marks, in the same round trip: the page's wishes and the films kept out of the recommendations come
        // from one read of them all, where two queries each read the same rows of wishlist_entries.
        var (userScores, marks) = await db.ReadBatchAsync(
            async reader =>
            {
                var scores = await PersonalModels.ReadScoresAsync(reader, cancellationToken);
                await reader.NextResultAsync(cancellationToken);
                var marks = new List<(int MovieId, WishState State)>();
                while (await reader.ReadAsync(cancellationToken))
                {
                    marks.Add((reader.GetInt32(0), Enum.Parse<WishState>(reader.GetString(1))));
                }
                return (scores, marks);
            },
            cancellationToken,
            PersonalModels.ScoresCommand(user.Id),
            Statements.Command("SELECT movie_id, state FROM wishlist_entries WHERE user_id = $1 AND state IS NOT NULL", user.Id));
        var page = movieIds.ToHashSet();
        var scores = userScores.Where(s => page.Contains(s.MovieId)).ToDictionary(s => s.MovieId, s => (decimal?)s.Score);
        var wishes = marks.Where(w => page.Contains(w.MovieId)).ToDictionary(w => w.MovieId, w => (WishState?)w.State);
        var personal = models.ForUser(user.Id, userScores);
        // The film list in memory answers which films Ratings knows; asking Postgres was the home screen's costliest
        // statement (docs/performance.md, "Screens: the film states from memory").
        var known = personal is null ? [] : await shelf.KnownAsync(movieIds, cancellationToken);
        var items = movieIds
            .Where(id => scores.ContainsKey(id) || wishes.ContainsKey(id) || known.Contains(id))
            .Select(id =>
            {
                var prediction = known.Contains(id) ? personal!.Predict(id) : null;
                return new MyFilmState(id, scores.GetValueOrDefault(id), wishes.GetValueOrDefault(id), prediction?.Predicted, prediction?.Basis, prediction?.RatingCount);
            })
            .ToList();
        List<Prediction>? picks = null;
        if (recommendations is { } wanted && personal is not null)
        {
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            var notInterested = marks.Where(w => w.State == WishState.NotInterested).Select(w => w.MovieId).Order().ToList();
            picks = await RecommendationsApi.TopPicksAsync(personal, user.Id, notInterested, shelf, cache, today, wanted, null, false, cancellationToken);
        }
        return TypedResults.Ok(new MyFilmStates(items, personal is not null, picks));
    }
}

/// <summary>
/// The caller's film page state. <see cref="Prediction"/> is null before the first model or for
/// a film Ratings does not know; <see cref="Comments"/> is null unless asked for.
/// </summary>
public sealed record MyFilm(
    int MovieId, decimal? Score, WishState? Wish, long? CommentId, IReadOnlyList<long> LikedCommentIds,
    Prediction? Prediction, Page<CommentView>? Comments);

/// <summary>
/// My state for one film of a list; <see cref="Predicted"/> is there whenever a model can predict it,
/// with <see cref="RatingCount"/>, how many of my ratings it rests on.
/// </summary>
public sealed record MyFilmState(int MovieId, decimal? Score, WishState? Wish, double? Predicted, PredictionBasis? Basis, int? RatingCount);

/// <summary>
/// My states for a list of films, in the order asked. <see cref="Predicting"/> is false before the
/// first model is trained; <see cref="Recommendations"/> is null unless asked for (or without a model).
/// </summary>
public sealed record MyFilmStates(IReadOnlyList<MyFilmState> Items, bool Predicting, IReadOnlyList<Prediction>? Recommendations);
