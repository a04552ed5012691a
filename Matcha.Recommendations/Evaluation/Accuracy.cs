using Matcha.Recommendations.Model;

namespace Matcha.Recommendations.Evaluation;

/// <summary>Root-mean-square and mean absolute error of a model's predictions on held-out ratings.</summary>
public static class Accuracy
{
    public static (double Rmse, double Mae) Measure(IRatingModel model, RatingSet test)
    {
        var users = test.Users;
        var items = test.Items;
        var scores = test.Scores;
        var days = test.Days;
        double squared = 0, absolute = 0;
        for (var r = 0; r < scores.Length; r++)
        {
            var predicted = test.HasDays ? model.Predict(users[r], items[r], days[r]) : model.Predict(users[r], items[r]);
            var error = (double)scores[r] - predicted;
            squared += error * error;
            absolute += Math.Abs(error);
        }
        return (Math.Sqrt(squared / scores.Length), absolute / scores.Length);
    }
}
