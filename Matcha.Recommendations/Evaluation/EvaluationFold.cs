using Matcha.Recommendations.Model;

namespace Matcha.Recommendations.Evaluation;

/// <summary>
/// One cut of the data: models train on <paramref name="Train"/> and are scored on
/// <paramref name="Test"/>. <paramref name="Known"/> holds the ratings each held-out user has when
/// their predictions are asked for, what serving folds in: the training ratings themselves in a
/// random split; in a time split, each user's ratings before their first held-out one, some of
/// them newer than the model.
/// </summary>
public sealed record EvaluationFold(int Number, RatingSet Train, RatingSet Known, RatingSet Test);

/// <summary>One way of predicting scored on one fold: RMSE and MAE over <paramref name="Count"/> held-out ratings.</summary>
public sealed record PathScore(string Name, double Rmse, double Mae, int Count);

/// <summary>Squared and absolute errors summed as predictions are made.</summary>
internal sealed class ErrorSum(string name)
{
    private double squared, absolute;
    private int count;

    public void Add(float actual, float predicted)
    {
        var error = (double)actual - predicted;
        squared += error * error;
        absolute += Math.Abs(error);
        count++;
    }

    public PathScore Score() => count == 0 ? new(name, 0, 0, 0) : new(name, Math.Sqrt(squared / count), absolute / count, count);
}
