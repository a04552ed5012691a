using Matcha.Recommendations.Model;

namespace Matcha.Recommendations.Evaluation;

/// <summary>Root-mean-square and mean absolute error of a model's predictions on held-out ratings.</summary>
public static class Accuracy
{
    public static (double Rmse, double Mae) Measure(IRatingModel model, RatingSet test)
    {
        var score = Measure("", model, test);
        return (score.Rmse, score.Mae);
    }

    /// <summary>The model's own prediction for each held-out (user, film, day): for a training user, their sampled or fitted parameters.</summary>
    public static PathScore Measure(string name, IRatingModel model, RatingSet test)
    {
        var users = test.Users;
        var items = test.Items;
        var scores = test.Scores;
        var days = test.Days;
        var errors = new ErrorSum(name);
        for (var r = 0; r < scores.Length; r++)
        {
            errors.Add(scores[r], test.HasDays ? model.Predict(users[r], items[r], days[r]) : model.Predict(users[r], items[r]));
        }
        return errors.Score();
    }
}
