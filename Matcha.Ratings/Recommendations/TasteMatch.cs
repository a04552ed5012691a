using Matcha.Ratings.Data;
using Matcha.Ratings.Recommendations.Serving;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Matcha.Ratings.Recommendations;

/// <summary>
/// How alike two members rate, as a percentage (docs/recommendations.md, "Taste match"): the mean
/// distance d between our scores, over the films we both rated (weight 1) and, when a model is
/// served, over the films only one of us rated against what the model predicts for the other
/// (weight ½ each, the most recent <see cref="ModelFilms"/> of each side); the match is
/// 100 × (1 − d / 2), so the same scores are 100 %, half a star apart on average 75 %, two
/// stars or more 0 %. Below <see cref="EnoughInCommon"/> films rated by both there is no figure.
/// </summary>
internal static class TasteMatch
{
    public const int EnoughInCommon = 5;
    public const int ModelFilms = 200;
    private const double ModelWeight = 0.5;
    private const double ZeroAt = 2.0;

    public static async Task<Results<Ok<TasteMatchView>, NotFound, ValidationProblem>> MatchAsync(
        Guid handle, CurrentUser user, RatingsDbContext db, PersonalModels models, CancellationToken cancellationToken)
    {
        var other = await db.Authors.AsNoTracking().Where(a => a.Handle == handle).Select(a => (Guid?)a.UserId).SingleOrDefaultAsync(cancellationToken);
        if (other is not { } them)
        {
            return TypedResults.NotFound();
        }
        if (them == user.Id)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["handle"] = ["That is your own handle: a taste match is between you and another member."],
            });
        }

        var myScores = await PersonalModels.ScoresAsync(user.Id, db, cancellationToken);
        var theirScores = await PersonalModels.ScoresAsync(them, db, cancellationToken);
        var mine = myScores.ToDictionary(r => r.MovieId);
        var theirs = theirScores.ToDictionary(r => r.MovieId);
        var common = mine.Keys.Where(theirs.ContainsKey).ToList();
        if (common.Count < EnoughInCommon)
        {
            return TypedResults.Ok(new TasteMatchView(handle, null, common.Count, EnoughInCommon, 0));
        }

        var distance = common.Sum(m => (double)Math.Abs(mine[m].Score - theirs[m].Score));
        var weight = (double)common.Count;
        var fromModel = 0;
        if (models.ForUser(user.Id, myScores) is { } myModel && models.ForUser(them, theirScores) is { } theirModel)
        {
            foreach (var (scores, otherModel, otherScores) in new[] { (mine, theirModel, theirs), (theirs, myModel, mine) })
            {
                foreach (var (movieId, rating) in scores.Where(s => !otherScores.ContainsKey(s.Key)).OrderByDescending(s => s.Value.UpdatedAt).Take(ModelFilms))
                {
                    distance += ModelWeight * Math.Abs((double)rating.Score - otherModel.Predict(movieId).Predicted);
                    weight += ModelWeight;
                    fromModel++;
                }
            }
        }
        var percent = (int)Math.Round(100 * Math.Clamp(1 - distance / weight / ZeroAt, 0, 1));
        return TypedResults.Ok(new TasteMatchView(handle, percent, common.Count, EnoughInCommon, fromModel));
    }
}

/// <summary>
/// A taste match: <see cref="Percent"/> is null while we have fewer than <see cref="Needed"/>
/// films in common; <see cref="FromModel"/> counts the films one of us rated that the model's
/// predictions for the other brought in.
/// </summary>
public sealed record TasteMatchView(Guid Handle, int? Percent, int InCommon, int Needed, int FromModel);
