namespace Matcha.Recommendations.Model;

/// <summary>A trained model that predicts a score for a dense user and item index (-1 for one it has never seen).</summary>
public interface IRatingModel
{
    float Predict(int user, int item);

    /// <summary>The score for a rating given on <paramref name="day"/> (days since 1970-01-01, UTC); models without time ignore it.</summary>
    float Predict(int user, int item, int day) => Predict(user, item);
}
